package dev.allocspec.spec;

import java.util.Map;

/**
 * Optional for an allocator under test: how often each of its internal paths has run (a cache refill, a flush, a
 * periodic pass, a reclaim...), so that the checks can say which paths their runs reached and fail a run that was
 * required to reach a path and did not. The names are the allocator's own; the counts only grow.
 */
public interface InternalPaths {

    /** Each internal path's name and how many times it has run since the allocator was made. */
    Map<String, Long> internalPathCounts();
}
