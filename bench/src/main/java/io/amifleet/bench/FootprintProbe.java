package io.amifleet.bench;

import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.Environment;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.worker.WorkerModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.ImageWaiter;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.WorkerEvents;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;

/**
 * Scenario 3, in its own JVM (the harness starts it with -Xmx256m): one worker holds every image of
 * the jobs queue pending (the realistic EC2 layer keeps each pending for a set time). Samples heap
 * in use and live threads every 100 ms and counts the waiter's DescribeImages calls; prints one
 * JSON object.
 *
 * <p>Arguments: EC2/STS endpoint (the layer), SQS endpoint, queue prefix, expected jobs, poll
 * interval seconds.
 */
public final class FootprintProbe {
  private FootprintProbe() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    URI sqsEndpoint = URI.create(args[1]);
    String prefix = args[2];
    int expected = Integer.parseInt(args[3]);
    Duration poll = Duration.ofSeconds(Long.parseLong(args[4]));

    AtomicLong waitingCalls = new AtomicLong();
    AtomicInteger maxIdsPerCall = new AtomicInteger();
    ExecutionInterceptor counter =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            SdkRequest r = context.request();
            if (r instanceof DescribeImagesRequest d
                && d.hasImageIds()
                && !d.imageIds().isEmpty()) {
              waitingCalls.incrementAndGet();
              maxIdsPerCall.accumulateAndGet(d.imageIds().size(), Math::max);
            }
          }
        };
    AtomicInteger finished = new AtomicInteger();
    WorkerEvents events =
        new WorkerEvents() {
          @Override
          public void jobFinished(ResultMessage result) {
            finished.incrementAndGet();
          }
        };
    WorkerSettings settings =
        WorkerSettings.defaults()
            .withConcurrency(expected)
            .withPollInterval(poll)
            .withReceiveWait(Duration.ofSeconds(1))
            // The layer's CreateImage bucket is raised for this scenario; the limiter is measured
            // in the throttle scenario.
            .withMutationLimit(1000, expected);
    try (Closer closer = new Closer()) {
      var injector =
          Bootstrap.of(Environment.of(Map.of()), closer)
              .aws(
                  AwsSettings.defaults()
                      .withRegion(ShellLoopScenario.REGION)
                      .withEndpoint(endpoint)
                      .withSqsEndpoint(sqsEndpoint)
                      .withHubCredentials(EmulatedAws.hubCredentials())
                      .withInterceptors(List.of(counter)))
              .queues(QueueSettings.ofPrefix(prefix))
              .install(new WorkerModule(settings, 1, events))
              .start();
      Worker worker = injector.getInstance(Worker.class);
      ImageWaiter waiter = injector.getInstance(ImageWaiter.class);
      var memory = ManagementFactory.getMemoryMXBean();
      var threads = ManagementFactory.getThreadMXBean();
      long peakHeap = 0;
      int peakThreads = 0;
      int peakWaiting = 0;
      long start = System.nanoTime();
      worker.start();
      long deadline = start + Duration.ofMinutes(10).toNanos();
      while (finished.get() < expected && System.nanoTime() < deadline) {
        peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
        peakThreads = Math.max(peakThreads, threads.getThreadCount());
        peakWaiting = Math.max(peakWaiting, waiter.waitingCount());
        Thread.sleep(100);
      }
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      long polls = waiter.pollCount();
      worker.shutdown();
      var out = Json.newMapper().createObjectNode();
      out.put("jobs", expected);
      out.put("finished", finished.get());
      out.put("peakWaiting", peakWaiting);
      out.put("peakHeapBytes", peakHeap);
      out.put("maxHeapBytes", memory.getHeapMemoryUsage().getMax());
      out.put("peakLiveThreads", peakThreads);
      out.put("jvmPeakThreadCount", threads.getPeakThreadCount());
      out.put("waiterPolls", polls);
      out.put("waitingDescribeImagesCalls", waitingCalls.get());
      out.put("maxImageIdsPerCall", maxIdsPerCall.get());
      out.put("elapsedMillis", elapsed);
      out.put("pollIntervalMillis", poll.toMillis());
      System.out.println("FOOTPRINT " + out);
    }
    System.exit(0);
  }
}
