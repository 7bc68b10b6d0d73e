// The generator registry: one explicit map. Suites name generators by these keys.
import { commodityPrices } from "./commodity-prices.js";
import type { Generator } from "./generator.js";
import { marketTicks } from "./market-ticks.js";
import { serverMetrics } from "./server-metrics.js";
import { transactions } from "./transactions.js";

export type { Column, CreateOptions, Generator, RowSource, RowValue } from "./generator.js";
export { encodeCopyBatch, encodeCopyRow, encodeCopyRows, escapeCopyText, numberText, pgText } from "./copy-text.js";

export const GENERATOR_NAMES = ["server-metrics", "transactions", "market-ticks", "commodity-prices"] as const;
export type GeneratorName = (typeof GENERATOR_NAMES)[number];

export const generators: Readonly<Record<GeneratorName, Generator>> = {
  "server-metrics": serverMetrics,
  transactions,
  "market-ticks": marketTicks,
  "commodity-prices": commodityPrices,
};

export function isGeneratorName(name: string): name is GeneratorName {
  return (GENERATOR_NAMES as readonly string[]).includes(name);
}
