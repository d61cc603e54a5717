/** Every command of the `pinboard-digest` CLI, in the order `--help` lists them. A new command: one file, one line here. */
import type { Command } from '../command';
import { doctor } from './doctor';
import { init } from './init';
import { issues } from './issues';
import { preview } from './preview';
import { send } from './send';
import { serve } from './serve';
import { site } from './site';
import { subscribers } from './subscribers';

export const COMMANDS: readonly Command[] = [init, doctor, preview, send, subscribers, serve, issues, site];
