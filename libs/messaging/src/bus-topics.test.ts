import { busTopics } from './bus-topics';

describe('busTopics', () => {
  it('is every topic of topicNames and its dead-letter topic', () => {
    const topics = busTopics('cf');
    expect(topics).toHaveLength(12);
    expect(topics).toContain('cf.tasks.events');
    expect(topics).toContain('cf.tasks.events.dlq');
    expect(topics).toContain('cf.agents.circuits.dlq');
  });
});
