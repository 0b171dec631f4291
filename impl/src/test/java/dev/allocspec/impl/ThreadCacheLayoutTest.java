package dev.allocspec.impl;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PadBefore} does what it claims on this JVM: the fields of a thread cache and of a bin lie at least a cache
 * line away from both ends of their object, so whatever the garbage collector puts next to them cannot share a line
 * with them. Field offsets come from {@code sun.misc.Unsafe}, the only way to ask for them, called reflectively
 * (a direct reference is a compiler warning that no annotation suppresses, and warnings fail this build).
 */
class ThreadCacheLayoutTest {

    private static final long CACHE_LINE = 64;

    @Test
    void aThreadCachesFieldsAreACacheLineAwayFromBothEnds() throws ReflectiveOperationException {
        assertPadded(ThreadCache.class);
    }

    @Test
    void aBinsFieldsAreACacheLineAwayFromBothEnds() throws ReflectiveOperationException {
        assertPadded(ThreadCache.Bin.class);
    }

    private static void assertPadded(Class<?> type) throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object unsafe = theUnsafe.get(null);
        Method objectFieldOffset = unsafeClass.getMethod("objectFieldOffset", Field.class);
        long firstField = Long.MAX_VALUE;
        long fieldsEnd = 0;
        long objectEnd = 0;
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                long offset = (long) objectFieldOffset.invoke(unsafe, field);
                long end = offset + bytes(field.getType());
                objectEnd = Math.max(objectEnd, end);
                if (!field.getName().startsWith("pad")) {
                    firstField = Math.min(firstField, offset);
                    fieldsEnd = Math.max(fieldsEnd, end);
                }
            }
        }
        assertThat(firstField).as("%s: bytes between the object's start and its first field", type.getSimpleName())
                .isGreaterThanOrEqualTo(CACHE_LINE);
        assertThat(objectEnd - fieldsEnd).as("%s: bytes between its last field and the object's end",
                type.getSimpleName()).isGreaterThanOrEqualTo(CACHE_LINE);
    }

    /** A field's size; references are counted at 8 bytes, which only makes the check stricter. */
    private static long bytes(Class<?> type) {
        if (type == byte.class || type == boolean.class) {
            return 1;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        return type == int.class || type == float.class ? 4 : 8;
    }
}
