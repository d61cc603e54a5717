/**
 * The mailto door on AWS (config `subscriptions.receiveReplies`): an SES receipt rule takes mail sent to the
 * unsubscribe mailbox, scans it, and publishes it to the SES-events topic, where the ses-events function
 * unsubscribes by the signed token in its subject. SES receives mail only in some regions, a rule set works
 * only once it is the account's active one (CloudFormation cannot make it so), and the domain's MX record
 * must point at SES: the output says what to run, and the README's deploy section walks through it.
 */
import { Aws, CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface UnsubscribeRepliesProps {
  /** The mailbox the List-Unsubscribe mailto names (config `subscriptions.mailtoAddress`). */
  address: string;
  /** Where SES publishes what it receives: the topic the ses-events function reads. */
  topic: sns.Topic;
}

export class UnsubscribeReplies extends Construct {
  readonly ruleSet: ses.ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: UnsubscribeRepliesProps) {
    super(scope, id);
    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', {
      rules: [
        {
          recipients: [props.address],
          // Spam and virus scanning: ses-events drops a reply SES flags as a virus without reading it.
          scanEnabled: true,
          tlsPolicy: ses.TlsPolicy.REQUIRE,
          actions: [new actions.Sns({ topic: props.topic, encoding: actions.EmailEncoding.UTF8 })],
        },
      ],
    });
    // SES publishes to the topic only when its policy lets it, and only for this account's rules. (With
    // -c encryptTopics=true the topic's key already lets ses.amazonaws.com use it.)
    props.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesReceiptRulePublish',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    new CfnOutput(this, 'ActivateReceiptRules', {
      value: `aws ses set-active-receipt-rule-set --rule-set-name ${this.ruleSet.receiptRuleSetName}`,
      description: `Run once, then point the MX record of ${props.address.split('@')[1]} at inbound-smtp.<region>.amazonaws.com`,
    });
  }
}
