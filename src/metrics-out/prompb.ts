// Prometheus's remote-write 1.0 wire format (prometheus/prompb types.proto and remote.proto, the
// messages a WriteRequest uses, native histograms included), decoded and encoded by protobufjs.
// The schema is Prometheus's own; only the messages pipebench sends are kept.
import protobuf from "protobufjs";

const PROTO = `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  repeated MetricMetadata metadata = 3;
}

message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}

message Sample {
  double value = 1;
  int64 timestamp = 2;
}

message Histogram {
  enum ResetHint { UNKNOWN = 0; YES = 1; NO = 2; GAUGE = 3; }
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  ResetHint reset_hint = 14;
  int64 timestamp = 15;
}

message BucketSpan {
  sint32 offset = 1;
  uint32 length = 2;
}

message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 4;
}

message Label {
  string name = 1;
  string value = 2;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
export const WriteRequestType = root.lookupType("prometheus.WriteRequest");

export interface PromLabel {
  name: string;
  value: string;
}
export interface PromSample {
  value: number;
  timestamp: number;
}
export interface BucketSpan {
  offset: number;
  length: number;
}
export interface PromHistogram {
  count_int: number;
  sum: number;
  schema: number;
  zero_threshold: number;
  zero_count_int: number;
  positive_spans: BucketSpan[];
  positive_deltas: number[];
  /** 2 = NO: a cumulative histogram that did not reset. */
  reset_hint: number;
  timestamp: number;
}
export interface TimeSeries {
  labels: PromLabel[];
  samples?: PromSample[];
  histograms?: PromHistogram[];
}

export function encodeWriteRequest(timeseries: readonly TimeSeries[]): Uint8Array {
  const message = WriteRequestType.fromObject({ timeseries });
  return WriteRequestType.encode(message).finish();
}

export function decodeWriteRequest(bytes: Uint8Array): { timeseries: TimeSeries[] } {
  const message = WriteRequestType.decode(bytes);
  return WriteRequestType.toObject(message, { longs: Number, defaults: false, arrays: true }) as { timeseries: TimeSeries[] };
}
