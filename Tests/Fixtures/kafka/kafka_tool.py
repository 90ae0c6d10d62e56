#!/usr/bin/env python3
"""An independent Kafka client for Flow's tests (confluent-kafka, PyPI), not Flow's own code.

  kafka_tool.py produce BROKERS TOPIC PARTITIONS LOG [--drop-late MS] [--end-markers]
      Creates TOPIC with PARTITIONS partitions (unless it exists) and produces every tweet of LOG (JSON Lines,
      .zst read through zstdcat), keyed by its id_str, to partition crc32(id) % PARTITIONS,
      stamped with its timestamp_ms. With --drop-late, leaves out the tweets more than MS
      behind the latest time before them, so that no record is late for its partition. With
      --end-markers, ends every partition with a batch of one record that is no tweet: Tansu 0.6
      reports a partition's end as its last batch's first offset, so a reader starting at the
      "latest" offset reads that batch again.
  kafka_tool.py results BROKERS TOPIC
      Reads every partition of TOPIC from the start with isolation.level=read_committed and
      prints the window results (JSON records) as the trending job's CSV, ordered by window
      end and rank. Duplicates are printed too, so a comparison with the golden file finds them.
"""
import json
import subprocess
import sys
import time
import zlib

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def lines(path):
    if path.endswith(".zst"):
        data = subprocess.run(["zstdcat", path], check=True, capture_output=True).stdout
    else:
        with open(path, "rb") as handle:
            data = handle.read()
    return data.splitlines()


def produce(brokers, topic, partitions, log, drop_late_ms, end_markers):
    admin = AdminClient({"bootstrap.servers": brokers})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        try:
            future.result(30)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "linger.ms": 5})
    latest = None
    produced = 0
    for line in lines(log):
        try:
            tweet = json.loads(line)
        except ValueError:
            continue
        if not isinstance(tweet, dict) or "timestamp_ms" not in tweet or "id_str" not in tweet:
            continue
        time_ms = int(tweet["timestamp_ms"])
        if drop_late_ms is not None and latest is not None and time_ms <= latest - drop_late_ms:
            continue
        latest = time_ms if latest is None else max(latest, time_ms)
        key = tweet["id_str"].encode()
        while True:
            try:
                producer.produce(topic, value=line, key=key, partition=zlib.crc32(key) % partitions, timestamp=time_ms)
                break
            except BufferError:
                producer.poll(0.1)
        produced += 1
    if producer.flush(60) != 0:
        sys.exit("records not delivered")
    if end_markers:
        for partition in range(partitions):
            producer.produce(topic, value=b'{"end_marker":true}', partition=partition)
        if producer.flush(60) != 0:
            sys.exit("end markers not delivered")
    print(produced)


def results(brokers, topic):
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "flow-test-reader", "isolation.level": "read_committed",
                         "enable.auto.commit": False, "enable.partition.eof": True})
    metadata = consumer.list_topics(topic, timeout=30)
    partitions = sorted(metadata.topics[topic].partitions)
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in partitions}
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    done = {p for p in partitions if ends[p] == 0}
    rows = []
    deadline = time.time() + 120
    while len(done) < len(partitions) and time.time() < deadline:
        message = consumer.poll(1)
        if message is None:
            continue
        if message.error():
            if message.error().code() == -191:  # end of partition
                if message.offset() >= ends[message.partition()]:
                    done.add(message.partition())
                continue
            raise KafkaException(message.error())
        record = json.loads(message.value())
        rows.append((record["window_end_ms"], record["rank"], record["hashtag"], record["count"]))
    if len(done) < len(partitions):
        sys.exit(f"partitions {sorted(set(partitions) - done)} of {topic} not read to their end in 120 s")
    rows.sort(key=lambda row: (row[0], row[1]))
    out = ["window_end_ms,rank,hashtag,count"]
    for window_end, rank, tag, count in rows:
        field = '"' + tag.replace('"', '""') + '"' if any(c in tag for c in ',"\r\n') else tag
        out.append(f"{window_end},{rank},{field},{count}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "produce":
        options = sys.argv[6:]
        drop = int(options[options.index("--drop-late") + 1]) if "--drop-late" in options else None
        produce(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], drop, "--end-markers" in options)
    elif command == "results":
        results(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
