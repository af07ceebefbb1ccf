import type { Agent } from '@contextforge/contracts';
import type { CommandSpec } from '../command';
import { EXIT_CODES } from '../exit-codes';
import { formatTable, type Column } from '../format/table';

const AGENT_COLUMNS: ReadonlyArray<Column<Agent>> = [
  { header: 'ID', value: (agent) => agent.id, maxWidth: 40 },
  { header: 'TYPE', value: (agent) => agent.type, maxWidth: 30 },
  { header: 'STATUS', value: (agent) => agent.status },
  { header: 'CIRCUIT', value: (agent) => agent.circuit },
  { header: 'CONCURRENCY', value: (agent) => agent.concurrency, align: 'right' },
  { header: 'TASK TYPES', value: (agent) => agent.taskTypes.join(','), maxWidth: 40 },
  {
    header: 'HEARTBEAT',
    value: (agent) =>
      agent.lastHeartbeatAgeMs === null ? undefined : `${(agent.lastHeartbeatAgeMs / 1000).toFixed(1)}s ago`,
    align: 'right',
  },
];

export const agentsLs: CommandSpec = {
  path: ['agents', 'ls'],
  summary: 'List the registered agents',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(context) {
    const agents = await context.client().listAgents({ signal: context.io.signal });
    if (context.json) context.out(`${JSON.stringify({ agents }, null, 2)}\n`);
    else context.out(agents.length === 0 ? 'No agents.\n' : formatTable(agents, AGENT_COLUMNS));
    return EXIT_CODES.ok;
  },
};
