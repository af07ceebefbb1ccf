import type { Scenario } from '../scenario';
import { analysis } from './analysis';
import { bullmq } from './bullmq';
import { clusterThroughput, clusterThroughputTwoSchedulers } from './cluster-throughput';
import { embeddedThroughput } from './embedded-throughput';
import { kafkajsRaw } from './kafkajs-raw';
import { recovery } from './recovery';
import { scaling } from './scaling';

/** Every scenario, in the order one run executes them (`--only` keeps this order). */
export const SCENARIOS: readonly Scenario[] = [
  embeddedThroughput,
  clusterThroughput,
  clusterThroughputTwoSchedulers,
  bullmq,
  kafkajsRaw,
  scaling,
  recovery,
  analysis,
];
