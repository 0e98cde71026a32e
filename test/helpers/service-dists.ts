/**
 * The release distributions of the bundled kafka, cassandra and spark revisions, as the tests
 * assemble them from each project's own jars on Maven Central (`assembleDist`): laid out and named
 * as the official tarballs, with the jars the services need to start. One spec per distribution,
 * so every test (and the image built from it) runs the same bytes.
 */
import type { DistSpec } from './maven-dist.js';

export const KAFKA_VERSION = '4.0.0';
export const KAFKA_DIST: DistSpec = {
  file: `kafka_2.13-${KAFKA_VERSION}.tgz`,
  top: `kafka_2.13-${KAFKA_VERSION}`,
  jarsDir: 'libs',
  artifacts: [
    `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
    `org.apache.kafka:kafka-tools:${KAFKA_VERSION}`,
    'org.apache.logging.log4j:log4j-core:2.24.3',
    'org.apache.logging.log4j:log4j-slf4j-impl:2.24.3',
  ],
};

export const CASSANDRA_VERSION = '5.0.9';
export const CASSANDRA_DIST: DistSpec = {
  file: `apache-cassandra-${CASSANDRA_VERSION}-bin.tar.gz`,
  top: `apache-cassandra-${CASSANDRA_VERSION}`,
  jarsDir: 'lib',
  artifacts: [`org.apache.cassandra:cassandra-all:${CASSANDRA_VERSION}`],
};

export const SPARK_VERSION = '3.5.5';
export const SPARK_DIST: DistSpec = {
  file: `spark-${SPARK_VERSION}-bin-hadoop3.tgz`,
  top: `spark-${SPARK_VERSION}-bin-hadoop3`,
  jarsDir: 'jars',
  // spark-core brings the master, the worker and SparkSubmit; slf4j-api 2 is what Spark's
  // log4j2 binding needs (Maven's nearest-wins would otherwise pick an older one, and no log).
  artifacts: [`org.apache.spark:spark-core_2.12:${SPARK_VERSION}`, 'org.slf4j:slf4j-api:2.0.7'],
};

/**
 * Kafka 3.9.0, the last bundled revision that ran only as the apache/kafka image: what the test
 * of the update from it to 4.0.0 runs (in an image double of that one, container-images.ts).
 */
export const KAFKA_39_DIST: DistSpec = {
  file: 'kafka_2.13-3.9.0.tgz',
  top: 'kafka_2.13-3.9.0',
  jarsDir: 'libs',
  artifacts: ['org.apache.kafka:kafka_2.13:3.9.0', 'org.apache.kafka:kafka-tools:3.9.0', 'org.slf4j:slf4j-simple:1.7.36'],
};
