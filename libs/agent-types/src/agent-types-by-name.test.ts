import { agentTypesByName, builtinAgentTypes, echoAgentType, sleepAgentType } from './index';

describe('agentTypesByName', () => {
  it('returns the built-in agent types with these names, in the order given', () => {
    expect(agentTypesByName(['sleep', 'echo'])).toEqual([sleepAgentType, echoAgentType]);
    expect(builtinAgentTypes.map((type) => type.name)).toEqual(
      expect.arrayContaining(['echo', 'sleep', 'license-check']),
    );
  });

  it('fails start-up with CONFIG_INVALID naming the unknown type and the built-in ones', () => {
    expect(() => agentTypesByName(['echo', 'rust-analyzer'])).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          /^agent\.task_types: unknown agent type "rust-analyzer" \(built in: echo, sleep, license-check/,
        ),
      }),
    );
  });
});
