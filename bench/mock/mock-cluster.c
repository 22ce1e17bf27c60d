/*
 * A standalone librdkafka mock cluster for side-by-side benchmarks (bench/kcat-vs-mock.ts).
 * librdkafka's mock broker is the only Kafka-protocol server installable here (Debian's librdkafka-dev);
 * it keeps everything in memory, so it is an upper bound on what a broker can do, not a Kafka equivalent.
 *
 * usage: mock-cluster [-b brokers] [-s seconds] [-t topic:partitions]...
 * Prints the bootstrap servers on one line of stdout, then serves until SIGTERM/SIGINT or the time limit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t keep_running = 1;

static void on_signal(int signo) {
        (void)signo;
        keep_running = 0;
}

int main(int argc, char **argv) {
        int brokers = 1, seconds = 600, opt;
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (handle == NULL) {
                fprintf(stderr, "mock-cluster: %s\n", errstr);
                return 1;
        }
        /* options are parsed before the cluster exists except topics, which are collected first */
        char *topics[128];
        int topic_count = 0;
        while ((opt = getopt(argc, argv, "b:s:t:")) != -1) {
                switch (opt) {
                case 'b': brokers = atoi(optarg); break;
                case 's': seconds = atoi(optarg); break;
                case 't':
                        if (topic_count < 128) topics[topic_count++] = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: %s [-b brokers] [-s seconds] [-t topic:partitions]...\n", argv[0]);
                        return 2;
                }
        }
        rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(handle, brokers);
        if (cluster == NULL) {
                fprintf(stderr, "mock-cluster: could not create the cluster\n");
                return 1;
        }
        for (int i = 0; i < topic_count; i++) {
                char name[256];
                int partitions = 1;
                snprintf(name, sizeof(name), "%s", topics[i]);
                char *colon = strchr(name, ':');
                if (colon != NULL) {
                        *colon = '\0';
                        partitions = atoi(colon + 1);
                }
                rd_kafka_mock_topic_create(cluster, name, partitions, brokers);
        }
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
        fflush(stdout);
        signal(SIGTERM, on_signal);
        signal(SIGINT, on_signal);
        for (long tick = 0; keep_running && tick < (long)seconds * 10; tick++) usleep(100000);
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(handle);
        return 0;
}
