#include "CKafka.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <pthread.h>

static void copy_text(char *buffer, size_t size, const char *text) {
    if (size == 0) return;
    snprintf(buffer, size, "%s", text ? text : "");
}

struct flow_kafka_events {
    pthread_mutex_t lock;
    long failed_deliveries;
    int fatal;
    char first_delivery_error[256];
    char last_error[512];
};

flow_kafka_events *flow_kafka_events_new(void) {
    flow_kafka_events *events = calloc(1, sizeof *events);
    if (events != NULL) pthread_mutex_init(&events->lock, NULL);
    return events;
}

void flow_kafka_events_free(flow_kafka_events *events) {
    if (events == NULL) return;
    pthread_mutex_destroy(&events->lock);
    free(events);
}

long flow_kafka_failed_deliveries(flow_kafka_events *events) {
    pthread_mutex_lock(&events->lock);
    long count = events->failed_deliveries;
    pthread_mutex_unlock(&events->lock);
    return count;
}

int flow_kafka_is_fatal(flow_kafka_events *events) {
    pthread_mutex_lock(&events->lock);
    int fatal = events->fatal;
    pthread_mutex_unlock(&events->lock);
    return fatal;
}

void flow_kafka_first_delivery_error(flow_kafka_events *events, char *buffer, size_t size) {
    pthread_mutex_lock(&events->lock);
    copy_text(buffer, size, events->first_delivery_error);
    pthread_mutex_unlock(&events->lock);
}

void flow_kafka_last_error(flow_kafka_events *events, char *buffer, size_t size) {
    pthread_mutex_lock(&events->lock);
    copy_text(buffer, size, events->last_error);
    pthread_mutex_unlock(&events->lock);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    flow_kafka_events *events = opaque;
    if (events == NULL || message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    pthread_mutex_lock(&events->lock);
    if (events->failed_deliveries++ == 0) {
        copy_text(events->first_delivery_error, sizeof events->first_delivery_error, rd_kafka_err2str(message->err));
    }
    pthread_mutex_unlock(&events->lock);
}

static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque) {
    flow_kafka_events *events = opaque;
    if (events == NULL) return;
    char text[512];
    copy_text(text, sizeof text, reason);
    int fatal = code == RD_KAFKA_RESP_ERR__FATAL;
    if (fatal) rd_kafka_fatal_error(rk, text, sizeof text);
    pthread_mutex_lock(&events->lock);
    copy_text(events->last_error, sizeof events->last_error, text);
    if (fatal) events->fatal = 1;
    pthread_mutex_unlock(&events->lock);
}

// librdkafka logs to standard error by default; Flow reports errors itself, in one sentence.
static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *text) {
    (void)rk; (void)level; (void)facility; (void)text;
}

rd_kafka_t *flow_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, flow_kafka_events *events,
                           char *error, size_t error_size) {
    rd_kafka_conf_set_opaque(conf, events);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(type, conf, error, error_size);
    if (rk == NULL) rd_kafka_conf_destroy(conf);
    return rk;
}

rd_kafka_resp_err_t flow_kafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                       const void *key, size_t key_length,
                                       const void *value, size_t value_length, int64_t timestamp) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY((void *)key, key_length),
                             RD_KAFKA_V_VALUE((void *)value, value_length),
                             RD_KAFKA_V_TIMESTAMP(timestamp),
                             RD_KAFKA_V_END);
}

int flow_kafka_partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms, char *error, size_t error_size) {
    rd_kafka_topic_t *handle = rd_kafka_topic_new(rk, topic, NULL);
    if (handle == NULL) {
        copy_text(error, error_size, rd_kafka_err2str(rd_kafka_last_error()));
        return -2;
    }
    const struct rd_kafka_metadata *metadata = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle, &metadata, timeout_ms);
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        copy_text(error, error_size, rd_kafka_err2str(err));
        return -2;
    }
    int count = -1;
    for (int i = 0; i < metadata->topic_cnt; i++) {
        const struct rd_kafka_metadata_topic *entry = &metadata->topics[i];
        if (strcmp(entry->topic, topic) != 0) continue;
        if (entry->err == RD_KAFKA_RESP_ERR_NO_ERROR && entry->partition_cnt > 0) count = entry->partition_cnt;
        else if (entry->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && entry->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            copy_text(error, error_size, rd_kafka_err2str(entry->err));
        }
    }
    rd_kafka_metadata_destroy(metadata);
    return count;
}

int flow_kafka_create_topic(rd_kafka_t *rk, const char *topic, int partitions, int compacted, int timeout_ms,
                            char *error, size_t error_size) {
    char text[512];
    rd_kafka_NewTopic_t *request = rd_kafka_NewTopic_new(topic, partitions, -1, text, sizeof text);
    if (request == NULL) {
        copy_text(error, error_size, text);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    if (compacted) rd_kafka_NewTopic_set_config(request, "cleanup.policy", "compact");
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, text, sizeof text);
    rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, text, sizeof text);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &request, 1, options, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, timeout_ms + 1000);
    int result = RD_KAFKA_RESP_ERR__TIMED_OUT;
    copy_text(error, error_size, "no answer to the topic creation");
    if (event != NULL) {
        result = rd_kafka_event_error(event);
        copy_text(error, error_size, rd_kafka_event_error_string(event));
        const rd_kafka_CreateTopics_result_t *created = rd_kafka_event_CreateTopics_result(event);
        if (result == 0 && created != NULL) {
            size_t count = 0;
            const rd_kafka_topic_result_t **topics = rd_kafka_CreateTopics_result_topics(created, &count);
            for (size_t i = 0; i < count; i++) {
                rd_kafka_resp_err_t err = rd_kafka_topic_result_error(topics[i]);
                if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) err = RD_KAFKA_RESP_ERR_NO_ERROR;
                if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    result = err;
                    const char *why = rd_kafka_topic_result_error_string(topics[i]);
                    copy_text(error, error_size, why ? why : rd_kafka_err2str(err));
                }
            }
        }
        rd_kafka_event_destroy(event);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(request);
    return result;
}

int flow_kafka_take_error(rd_kafka_error_t *error, char *buffer, size_t buffer_size, int *retriable, int *abortable) {
    if (error == NULL) {
        copy_text(buffer, buffer_size, "");
        *retriable = 0;
        *abortable = 0;
        return 0;
    }
    int code = rd_kafka_error_code(error);
    copy_text(buffer, buffer_size, rd_kafka_error_string(error));
    *retriable = rd_kafka_error_is_retriable(error);
    *abortable = rd_kafka_error_txn_requires_abort(error);
    rd_kafka_error_destroy(error);
    return code;
}
