#ifndef FLOW_CKAFKA_H
#define FLOW_CKAFKA_H

// librdkafka (Debian's librdkafka-dev) for Flow's Kafka connector, with the few helpers Swift
// cannot write itself: the variadic produce call, callbacks that record delivery failures, and
// synchronous metadata and topic creation. Only librdkafka's stable API is used.
#include <librdkafka/rdkafka.h>
#include <stdint.h>

/// What a client's callbacks saw: failed deliveries and the last client error. Written on
/// librdkafka's threads, read with the functions below from any thread.
typedef struct flow_kafka_events flow_kafka_events;

flow_kafka_events *flow_kafka_events_new(void);
void flow_kafka_events_free(flow_kafka_events *events);
/// Messages whose delivery failed so far.
long flow_kafka_failed_deliveries(flow_kafka_events *events);
/// Whether the client hit a fatal error (a fenced transactional producer, say).
int flow_kafka_is_fatal(flow_kafka_events *events);
/// Copies the first delivery error's text into `buffer`.
void flow_kafka_first_delivery_error(flow_kafka_events *events, char *buffer, size_t size);
/// Copies the last client error's text into `buffer` (empty when none).
void flow_kafka_last_error(flow_kafka_events *events, char *buffer, size_t size);

/// A new handle of `type` built from `conf` (owned by the handle on success), its callbacks
/// recording into `events`. On failure, `error` holds why.
rd_kafka_t *flow_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, flow_kafka_events *events,
                           char *error, size_t error_size);

/// Produces one message: a copy of `key` and `value`, with its event `timestamp` (milliseconds),
/// to `partition` (RD_KAFKA_PARTITION_UA: chosen by the key's hash).
rd_kafka_resp_err_t flow_kafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                       const void *key, size_t key_length,
                                       const void *value, size_t value_length, int64_t timestamp);

/// The number of partitions of `topic`: -1 when the broker does not know it, -2 when no broker
/// answered within `timeout_ms` (then `error` holds why).
int flow_kafka_partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms, char *error, size_t error_size);

/// Creates `topic` with `partitions` partitions (log-compacted when `compacted`); an existing
/// topic is no error. Returns 0, or an error code with `error` holding why.
int flow_kafka_create_topic(rd_kafka_t *rk, const char *topic, int partitions, int compacted, int timeout_ms,
                            char *error, size_t error_size);

/// Copies the text of `error` into `buffer` and destroys it; returns its code (0 for NULL).
/// `retriable` and `abortable` report what the transactional API says may be done next.
int flow_kafka_take_error(rd_kafka_error_t *error, char *buffer, size_t buffer_size, int *retriable, int *abortable);

#endif
