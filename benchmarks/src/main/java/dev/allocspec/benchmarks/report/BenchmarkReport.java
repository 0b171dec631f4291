package dev.allocspec.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * Turns JMH JSON results into {@code BENCHMARKS.md} tables (with ratios against glibc malloc through FFM measured in
 * the same run) and PNG charts: latency per size, churn throughput per size, throughput per thread count; and tables
 * for runs on virtual threads, hand-off, one thread among idle threads that hold caches, and runs that counted CASes.
 *
 * <p>Usage: {@code BenchmarkReport OUT_MARKDOWN CHART_DIR HEADER_FILE RESULT.json...}; the header file holds the text
 * that goes above the tables (command, JDK, CPU, date, discussion).
 */
public final class BenchmarkReport {

    private static final String BASELINE = "GLIBC_MALLOC";

    /**
     * One result: benchmark method, parameters, score and its unit, secondary metrics; whether it comes from a run that
     * counted CASes, or one whose benchmark threads were virtual threads. Only plain runs go into the main tables.
     */
    record Result(String method, String peer, int size, int threads, int crowd, double score, double error,
                  String unit, Map<String, Double> secondary, boolean casCounted, boolean virtualThreads) {

        boolean plain() {
            return !casCounted && !virtualThreads;
        }

        /** The score and its error, e.g. {@code "17.1 ± 12.6"} (JMH gives no error for a single iteration). */
        String scoreWithError() {
            return String.format("%.1f ± %.1f", score, Double.isNaN(error) ? 0 : error);
        }
    }

    private BenchmarkReport() {
    }

    /**
     * Writes the report.
     *
     * @param args output Markdown, chart folder, header file, then JMH JSON result files
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: BenchmarkReport OUT.md CHART_DIR HEADER.md RESULT.json...");
            System.exit(2);
        }
        Path markdown = Path.of(args[0]);
        Path markdownDir = markdown.toAbsolutePath().getParent();
        Path charts = Path.of(args[1]);
        String header = Files.readString(Path.of(args[2]));
        List<Result> results = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            results.addAll(read(Path.of(args[i])));
        }
        Files.createDirectories(charts);
        StringBuilder md = new StringBuilder(header.strip()).append("\n\n");
        table(md, markdownDir, results, "PairBenchmark.allocateFree", 1,
                "## Allocate + free pair, one thread (ns per pair, lower is better)", charts, "pair-latency.png",
                "allocate+free latency per size (ns)");
        table(md, markdownDir, results, "PairAfterMixedUseBenchmark.allocateFree", 1,
                "## The same pair after mixed use (ns per pair, lower is better)\n\nThe peer first served every pooled "
                        + "size and a raw one, virtual threads and frees on another thread, so the JIT compiled its "
                        + "entry points with every path in use, as in an application.", charts,
                "pair-after-mixed-use.png", "allocate+free latency after mixed use (ns)");
        table(md, markdownDir, results, "ChurnBenchmark.churn1", 1,
                "## Random-slot churn, one thread (operations per µs, higher is better)", charts, "churn-1-thread.png",
                "random-slot churn, 1 thread (ops/µs)");
        threadScaling(md, markdownDir, results, charts);
        virtualThreads(md, results);
        handoff(md, results);
        crowd(md, results);
        casPerOperation(md, results);
        Files.writeString(markdown, md.toString());
        System.out.println("wrote " + markdown + " and charts in " + charts);
    }

    /** The chart's path relative to the folder of the Markdown file that links it, with forward slashes. */
    private static String link(Path markdownDir, Path charts, String chartFile) {
        return markdownDir.relativize(charts.resolve(chartFile).toAbsolutePath()).toString().replace('\\', '/');
    }

    static List<Result> read(Path file) throws IOException {
        List<Result> results = new ArrayList<>();
        for (JsonNode run : new ObjectMapper().readTree(file.toFile())) {
            String benchmark = run.path("benchmark").asText();
            String method = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            JsonNode params = run.path("params");
            JsonNode primary = run.path("primaryMetric");
            Map<String, Double> secondary = new TreeMap<>();
            for (Map.Entry<String, JsonNode> metric : run.path("secondaryMetrics").properties()) {
                secondary.put(metric.getKey(), metric.getValue().path("score").asDouble());
            }
            String jvmArgs = run.path("jvmArgs").toString();
            results.add(new Result(method, params.path("peer").asText(), params.path("size").asInt(),
                    run.path("threads").asInt(), params.path("crowd").asInt(), primary.path("score").asDouble(),
                    primary.path("scoreError").asDouble(), primary.path("scoreUnit").asText(), secondary,
                    jvmArgs.contains("-Dallocspec.countCas=true"), jvmArgs.contains("-Djmh.executor=VIRTUAL")));
        }
        return results;
    }

    private static void table(StringBuilder md, Path markdownDir, List<Result> results, String method, int threads,
                              String title, Path charts, String chartFile, String chartTitle) throws IOException {
        List<Result> rows = results.stream().filter(r -> r.method().equals(method) && r.threads() == threads
                && r.plain()).toList();
        if (rows.isEmpty()) {
            return;
        }
        TreeSet<Integer> sizes = new TreeSet<>();
        Map<String, Map<Integer, Result>> byPeer = byPeer(rows, Result::size, sizes);
        md.append(title).append("\n\nRatio in brackets: glibc malloc/free through FFM in the same run divided by the "
                + "peer for latency, the peer divided by glibc for throughput; above 1 means better than glibc.\n\n"
                + "| peer |");
        sizes.forEach(s -> md.append(' ').append(s).append(" B |"));
        md.append("\n|---|");
        sizes.forEach(s -> md.append("---|"));
        md.append('\n');
        boolean latency = rows.getFirst().unit().startsWith("ns");
        for (Map.Entry<String, Map<Integer, Result>> peer : byPeer.entrySet()) {
            md.append("| ").append(peer.getKey()).append(" |");
            for (int size : sizes) {
                Result r = peer.getValue().get(size);
                Result base = byPeer.getOrDefault(BASELINE, Map.of()).get(size);
                if (r == null) {
                    md.append(" skipped |");
                    continue;
                }
                md.append(' ').append(r.scoreWithError());
                if (base != null) {
                    double ratio = latency ? base.score() / r.score() : r.score() / base.score();
                    md.append(String.format(" (%.2f×)", ratio));
                }
                md.append(" |");
            }
            md.append('\n');
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520).title(chartTitle)
                .xAxisTitle("block size (bytes)").yAxisTitle(rows.getFirst().unit()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(latency); // from a few ns to tens of µs: bars would hide the small ones
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        for (Map.Entry<String, Map<Integer, Result>> peer : byPeer.entrySet()) {
            if (!peer.getValue().keySet().containsAll(sizes)) {
                continue; // a peer skipped at some size stays in the table only: a chart series needs every point
            }
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int size : sizes) {
                x.add(Integer.toString(size));
                y.add(peer.getValue().get(size).score());
            }
            chart.addSeries(peer.getKey(), x, y);
        }
        BitmapEncoder.saveBitmap(chart, charts.resolve(chartFile).toString(), BitmapEncoder.BitmapFormat.PNG);
        md.append("\n![").append(chartTitle).append("](").append(link(markdownDir, charts, chartFile)).append(")\n\n");
    }

    /**
     * Results by peer, in the order peers first appear, then by a column key; every key seen is added to
     * {@code columns}.
     */
    private static Map<String, Map<Integer, Result>> byPeer(List<Result> rows, ToIntFunction<Result> column,
                                                           TreeSet<Integer> columns) {
        Map<String, Map<Integer, Result>> byPeer = new LinkedHashMap<>();
        for (Result r : rows) {
            columns.add(column.applyAsInt(r));
            byPeer.computeIfAbsent(r.peer(), p -> new TreeMap<>()).put(column.applyAsInt(r), r);
        }
        return byPeer;
    }

    private static void threadScaling(StringBuilder md, Path markdownDir, List<Result> results, Path charts)
            throws IOException {
        List<Result> rows = results.stream().filter(r -> r.method().matches("ChurnBenchmark\\.churn\\d+")
                && r.plain()).toList();
        Map<String, Map<Integer, Double>> byPeer = new LinkedHashMap<>();
        TreeSet<Integer> threads = new TreeSet<>();
        int size = 256;
        for (Result r : rows) {
            if (r.size() == size) {
                byPeer.computeIfAbsent(r.peer(), p -> new TreeMap<>()).put(r.threads(), r.score());
                threads.add(r.threads());
            }
        }
        if (threads.size() < 2) {
            return;
        }
        md.append("## Churn throughput per thread count, 256-byte blocks (operations per µs, all threads)\n\n");
        md.append("| peer |");
        threads.forEach(t -> md.append(' ').append(t).append(" threads |"));
        md.append("\n|---|");
        threads.forEach(t -> md.append("---|"));
        md.append('\n');
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520)
                .title("random-slot churn, 256 B, throughput per thread count (ops/µs)").xAxisTitle("threads")
                .yAxisTitle("ops/µs").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (Map.Entry<String, Map<Integer, Double>> peer : byPeer.entrySet()) {
            md.append("| ").append(peer.getKey()).append(" |");
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int t : threads) {
                Double score = peer.getValue().get(t);
                md.append(score == null ? " skipped |" : String.format(" %.1f |", score));
                x.add(Integer.toString(t));
                y.add(score == null ? 0.0 : score);
            }
            md.append('\n');
            chart.addSeries(peer.getKey(), x, y);
        }
        BitmapEncoder.saveBitmap(chart, charts.resolve("churn-threads.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        md.append("\n![churn throughput per thread count](").append(link(markdownDir, charts, "churn-threads.png"))
                .append(")\n\n");
    }

    private static void virtualThreads(StringBuilder md, List<Result> results) {
        List<Result> rows = results.stream().filter(Result::virtualThreads).toList();
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Churn on virtual threads (operations per µs, all threads)\n\n"
                + "JMH's benchmark threads are virtual threads here (`-Djmh.executor=VIRTUAL`): the lock-free "
                + "allocator serves them from stripe caches they share, not from caches of their own. The "
                + "platform-thread figure is the same benchmark from the tables above.\n\n"
                + "| peer | size | threads | virtual threads | platform threads |\n|---|---|---|---|---|\n");
        for (Result r : rows) {
            Result platform = results.stream().filter(p -> p.plain() && p.method().equals(r.method())
                    && p.peer().equals(r.peer()) && p.size() == r.size() && p.threads() == r.threads())
                    .findFirst().orElse(null);
            md.append(String.format("| %s | %d B | %d | %s | %s |%n", r.peer(), r.size(), r.threads(),
                    r.scoreWithError(), platform == null ? "not run" : String.format("%.1f", platform.score())));
        }
        md.append('\n');
    }

    private static void handoff(StringBuilder md, List<Result> results) {
        List<Result> rows = results.stream().filter(r -> r.method().equals("HandoffBenchmark.handoff")).toList();
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Producer/consumer hand-off, 256-byte blocks (operations per µs, producer + consumer)\n\n"
                + "Every block is freed by another thread than the one that allocated it.\n\n| peer | ops/µs |\n"
                + "|---|---|\n");
        rows.forEach(r -> md.append(String.format("| %s | %s |%n", r.peer(), r.scoreWithError())));
        md.append('\n');
    }

    private static void crowd(StringBuilder md, List<Result> results) {
        List<Result> rows = results.stream().filter(r -> r.method().equals("ChurnBenchmark.churnInCrowd")).toList();
        if (rows.isEmpty()) {
            return;
        }
        TreeSet<Integer> crowds = new TreeSet<>();
        Map<String, Map<Integer, Result>> byPeer = byPeer(rows, Result::crowd, crowds);
        md.append(String.format("## One thread among idle threads that hold caches, %d-byte churn (operations per µs)"
                + "%n%nRandom-slot churn on one thread while other platform threads, each of which allocated and "
                + "freed one block, wait for the trial to end.%n%n| peer |", rows.getFirst().size()));
        crowds.forEach(c -> md.append(' ').append(c).append(" idle threads |"));
        md.append("\n|---|");
        crowds.forEach(c -> md.append("---|"));
        md.append('\n');
        for (Map.Entry<String, Map<Integer, Result>> peer : byPeer.entrySet()) {
            md.append("| ").append(peer.getKey()).append(" |");
            for (int c : crowds) {
                Result r = peer.getValue().get(c);
                md.append(' ').append(r == null ? "skipped" : r.scoreWithError()).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static void casPerOperation(StringBuilder md, List<Result> results) {
        List<Result> rows = results.stream().filter(Result::casCounted).toList();
        if (rows.isEmpty()) {
            return;
        }
        md.append("## CASes on the free-stack tops per churn operation (free + allocate), counted\n\n"
                + "From a separate run with `-Dallocspec.countCas=true` (counting costs time, so the tables above run "
                + "without it). For NATIVE_CAS128 each CAS is one native downcall; for LOCKED one lock entry.\n\n"
                + "| peer | threads | ops/µs | CASes per op | failed CASes per op |\n|---|---|---|---|---|\n");
        for (Result r : rows) {
            // Both rates are totals over the threads: JMH sums the threads' operations and their counter shares.
            md.append(String.format("| %s | %d | %.1f | %.4f | %.4f |%n", r.peer(), r.threads(), r.score(),
                    r.secondary().get("casCalls") / r.score(),
                    r.secondary().getOrDefault("casFailures", 0.0) / r.score()));
        }
        md.append('\n');
    }
}
