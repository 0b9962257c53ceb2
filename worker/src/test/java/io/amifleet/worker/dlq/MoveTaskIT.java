package io.amifleet.worker.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.testing.WorkerHarness;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dlq replay --all} with SQS's StartMessageMoveTask, which moto lacks: against embedded
 * ElasticMQ (SQS only; nothing here touches EC2).
 */
class MoveTaskIT {
  private final Emulator emulator = SharedEmulator.get();
  private SQSRestServer elasticmq;
  private WorkerHarness harness;

  @BeforeEach
  void setUp() {
    elasticmq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    int port = elasticmq.waitUntilStarted().localAddress().getPort();
    harness =
        new WorkerHarness(
            emulator.endpoint(),
            Optional.of(URI.create("http://127.0.0.1:" + port)),
            WorkerSettings.defaults().withReceiveWait(Duration.ofSeconds(1)),
            List.of(),
            1);
  }

  @AfterEach
  void tearDown() {
    harness.close();
    elasticmq.stopAndGetFuture().apply();
  }

  @Test
  void replayAllMovesEveryMessageWithAMoveTask() {
    var sender = harness.get(io.amifleet.common.queue.QueueSender.class);
    List<OutgoingMessage> letters =
        IntStream.range(0, 25).mapToObj(i -> OutgoingMessage.of("{\"n\":" + i + "}")).toList();
    assertThat(sender.sendAll(harness.queues().dlqUrl(), letters).failures()).isEmpty();
    DeadLetters dlq = harness.get(DeadLetters.class);

    Optional<Long> moved = dlq.moveAll(Duration.ofSeconds(60));

    assertThat(moved).contains(25L);
    assertThat(dlq.list(100)).isEmpty();
    assertThat(harness.jobsQueueDepth()).isEqualTo(25);
  }
}
