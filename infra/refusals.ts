/** What stops a config from deploying: lambda/deploy/refusals.ts, shared with the CLI's deploy command. */
export * from '../lambda/deploy/refusals';
