package dev.allocspec.verifier;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What differs between two report.json files: platform fields, verdicts and invariant results. */
final class ReportComparison {

    private ReportComparison() {
    }

    /**
     * The differences, one line each, platform first; empty when the reports agree on everything compared.
     *
     * @throws IOException              if a file cannot be read
     * @throws IllegalArgumentException if a file is not a report of a schema this verifier reads
     */
    static List<String> differences(Path first, Path second) throws IOException {
        JsonNode a = read(first);
        JsonNode b = read(second);
        List<String> lines = new ArrayList<>();
        compareField(lines, "verdict", a.path("verdict"), b.path("verdict"));
        compareField(lines, "depth", a.path("depth"), b.path("depth"));
        compareField(lines, "strategies", a.path("strategies"), b.path("strategies"));
        compareField(lines, "notValidated", a.path("notValidated"), b.path("notValidated"));
        for (String field : union(fieldNames(a.path("fingerprint")), fieldNames(b.path("fingerprint")))) {
            compareField(lines, "platform." + field, a.path("fingerprint").path(field),
                    b.path("fingerprint").path(field));
        }
        Map<String, String> resultsA = invariantResults(a);
        Map<String, String> resultsB = invariantResults(b);
        for (String id : union(resultsA, resultsB)) {
            String ra = resultsA.getOrDefault(id, "absent");
            String rb = resultsB.getOrDefault(id, "absent");
            if (!ra.equals(rb)) {
                lines.add(id + ": " + ra + " -> " + rb);
            }
        }
        return lines;
    }

    private static JsonNode read(Path file) throws IOException {
        JsonNode node = Report.json().readTree(file.toFile());
        int schema = node.path("schemaVersion").asInt(-1);
        if (schema < 1 || schema > Report.SCHEMA_VERSION) {
            throw new IllegalArgumentException(file + " is not an allocspec report this verifier reads (schema "
                    + node.path("schemaVersion") + ", expected 1.." + Report.SCHEMA_VERSION + ")");
        }
        return node;
    }

    private static void compareField(List<String> lines, String name, JsonNode a, JsonNode b) {
        if (!a.equals(b)) {
            lines.add(name + ": " + text(a) + " -> " + text(b));
        }
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() ? "absent" : node.isValueNode() ? node.asText() : node.toString();
    }

    /** A node's field names, in order, as the keys of a map (for {@link #union}). */
    private static Map<String, String> fieldNames(JsonNode node) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Iterator<String> fields = node.fieldNames(); fields.hasNext(); ) {
            names.put(fields.next(), "");
        }
        return names;
    }

    private static Map<String, String> invariantResults(JsonNode report) {
        Map<String, String> results = new LinkedHashMap<>();
        for (JsonNode row : report.path("invariants")) {
            results.put(row.path("id").asText(), row.path("result").asText());
        }
        return results;
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> ids = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(id -> !a.containsKey(id)).forEach(ids::add);
        return ids;
    }
}
