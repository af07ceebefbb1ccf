export { echoAgentType } from './echo';
export { sleepAgentType } from './sleep';
import { echoAgentType } from './echo';
import { sleepAgentType } from './sleep';

/** The agent types every agent process hosts unless configured otherwise. */
export const builtinAgentTypes = [echoAgentType, sleepAgentType] as const;
