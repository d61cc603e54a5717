/** The end-of-run lines live in render/report.ts; kept here for commands/send.ts, which the pipeline work is changing. */
export { describeLinkCheck, describeReport } from '../render/report';
