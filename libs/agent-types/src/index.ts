import { AppError } from '@contextforge/contracts';
export { echoAgentType } from './echo';
export { sleepAgentType } from './sleep';
export { licenseCheckAgentType } from './license-check';
export { codeAnalyzerAgentType } from './code-analyzer';
export { indexerAgentType } from './indexer';
export { reviewerAgentType } from './reviewer';
export { AnalysisInputSchema } from './analysis-input';
export type { AnalysisInput } from './analysis-input';
export { repoScanAgentType } from './repo-scan';
export { repoChunkAgentType } from './repo-chunk';
import { echoAgentType } from './echo';
import { sleepAgentType } from './sleep';
import { licenseCheckAgentType } from './license-check';
import { codeAnalyzerAgentType } from './code-analyzer';
import { indexerAgentType } from './indexer';
import { reviewerAgentType } from './reviewer';
import { repoScanAgentType } from './repo-scan';
import { repoChunkAgentType } from './repo-chunk';

/** The agent types every agent process hosts unless configured otherwise. */
export const builtinAgentTypes = [
  echoAgentType,
  sleepAgentType,
  licenseCheckAgentType,
  codeAnalyzerAgentType,
  indexerAgentType,
  reviewerAgentType,
  repoScanAgentType,
  repoChunkAgentType,
] as const;

/** The built-in agent types with these names; an unknown name fails start-up. */
export function agentTypesByName(names: readonly string[]) {
  const known = new Map<string, (typeof builtinAgentTypes)[number]>(
    builtinAgentTypes.map((type) => [type.name, type]),
  );
  return names.map((name) => {
    const type = known.get(name);
    if (!type)
      throw new AppError(
        'CONFIG_INVALID',
        `agent.task_types: unknown agent type "${name}" (built in: ${[...known.keys()].join(', ')})`,
      );
    return type;
  });
}
