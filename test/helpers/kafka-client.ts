/** A Kafka client for the tests that run a real broker: produce numbered messages, read them all back. */
import { Kafka, logLevel } from 'kafkajs';

export const kafkaAt = (broker: string): Kafka => new Kafka({ clientId: 'dcos-it', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 8 } });

/** Produces `m-<from>` .. `m-<from + count - 1>` to `topic`, acknowledged by the broker. */
export async function produce(broker: string, topic: string, from: number, count: number): Promise<void> {
  const producer = kafkaAt(broker).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ value: `m-${from + i}` })) });
  } finally {
    await producer.disconnect();
  }
}

/** Every message of the topic, from the beginning, by a new consumer group (waits up to 120 s for `expected`). */
export async function consumeAll(broker: string, topic: string, expected: number): Promise<string[]> {
  const consumer = kafkaAt(broker).consumer({ groupId: `dcos-it-${Date.now()}-${Math.random()}` });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
        if (values.length >= expected) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, 120_000)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/** `m-<from>` .. in the order consumeAll's values are compared in (sorted). */
export const messages = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `m-${from + i}`).sort();
