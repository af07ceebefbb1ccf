import type { CommandSpec } from '../command';
import { agentsLs } from './agents-commands';
import { analyze } from './analyze-command';
import { search } from './search-command';
import { tasksCancel, tasksGet, tasksLs, tasksWatch } from './tasks-commands';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  tasksLs,
  tasksGet,
  tasksCancel,
  tasksWatch,
  agentsLs,
  search,
  analyze,
];

/** Command groups (the first word of a two-word command) and what they are for. */
export const GROUPS: Readonly<Record<string, string>> = {
  tasks: 'List, read, cancel and watch tasks',
  agents: 'The agent fleet',
};
