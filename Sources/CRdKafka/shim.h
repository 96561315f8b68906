// The C boundary to librdkafka. Only includes and `static inline` adapters for
// the variadic calls Swift cannot make itself.
#ifndef SLUICE_CRDKAFKA_SHIM_H
#define SLUICE_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// Enqueue one message (payload and key are copied). A NULL `value` produces a
/// tombstone. `partition` may be RD_KAFKA_PARTITION_UA to let the partitioner choose.
/// `headers` (NULL for none) belong to librdkafka once this succeeds.
static inline rd_kafka_resp_err_t sluice_rd_kafka_produce(
    rd_kafka_t *rk, const char *topic, int32_t partition,
    const void *key, size_t key_len, const void *value, size_t value_len,
    rd_kafka_headers_t *headers) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_END);
}

#endif
