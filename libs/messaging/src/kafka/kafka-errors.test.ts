import { AppError } from '@contextforge/contracts';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { kafkaProtocolTypes, toBusError } from './kafka-errors';

const BROKERS = ['k1:9092', 'k2:9092'];

/** What kafkajs's retrier rejects with when it bails: the error again, with `cause` (the typings lack that option). */
function nonRetriable(cause: Error): Error {
  const Wrapper = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
  return new Wrapper(cause, { cause });
}

function protocolError(type: string, code: number): KafkaJSProtocolError {
  // kafkajs builds these from its error table: { type, code, retriable, message }.
  return new KafkaJSProtocolError({ type, code, retriable: false, message: `broker says ${type}` } as never);
}

describe('toBusError', () => {
  it.each([
    ['MESSAGE_TOO_LARGE', 10],
    ['RECORD_LIST_TOO_LARGE', 18],
  ])(
    'turns the broker error %s into MESSAGE_TOO_LARGE, not retryable, also when kafkajs wrapped it',
    (type, code) => {
      const cause = protocolError(type, code);
      const wrapped = nonRetriable(cause);
      for (const error of [cause, wrapped]) {
        const translated = toBusError(error, 'publish to t', BROKERS, { topic: 't' });
        expect(translated).toBeInstanceOf(AppError);
        expect(translated).toMatchObject({
          code: 'MESSAGE_TOO_LARGE',
          retryable: false,
          details: { topic: 't', brokers: BROKERS, kafkaError: type },
        });
        expect(translated.message).toContain('k1:9092,k2:9092');
        expect(translated.cause).toBe(error);
      }
    },
  );

  it('turns any other kafkajs error into SERVICE_UNAVAILABLE naming the brokers', () => {
    const translated = toBusError(new KafkaJSConnectionError('Connection timeout'), 'connect', BROKERS);
    expect(translated).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
      message: 'kafka connect failed (brokers k1:9092,k2:9092): Connection timeout',
      details: { brokers: BROKERS, kafkaError: 'KafkaJSConnectionError' },
    });
  });

  it('passes AppErrors through', () => {
    const original = new AppError('MESSAGE_TOO_LARGE', 'measured by the bus');
    expect(toBusError(original, 'publish', BROKERS)).toBe(original);
  });
});

describe('kafkaProtocolTypes', () => {
  it('finds protocol types behind cause and in aggregate errors', () => {
    const aggregate = Object.assign(new Error('several'), {
      errors: [protocolError('TOPIC_ALREADY_EXISTS', 36), new Error('plain')],
    });
    const wrapped = nonRetriable(aggregate);
    expect(kafkaProtocolTypes(wrapped)).toEqual(['TOPIC_ALREADY_EXISTS']);
    expect(kafkaProtocolTypes('text')).toEqual([]);
  });
});
