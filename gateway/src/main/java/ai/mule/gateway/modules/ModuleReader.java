package ai.mule.gateway.modules;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Reads a module once, front to back, through one 64 KiB buffer, hashing every byte as it goes: the validator
 * walks the sections with it and learns the module's sha256 and size on the way, without ever holding the
 * module whole.
 */
final class ModuleReader {

    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final MessageDigest sha256;
    private final byte[] buffer = new byte[BUFFER];
    private int start;
    private int end;
    private long position;

    ModuleReader(InputStream in) {
        this.in = in;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Bytes read so far. */
    long position() {
        return position;
    }

    /** The next byte, or -1 at the end of the module. */
    int read() throws IOException {
        if (start == end && !fill()) {
            return -1;
        }
        position++;
        return buffer[start++] & 0xff;
    }

    /** Up to {@code n} bytes: fewer only at the end of the module. */
    byte[] readUpTo(int n) throws IOException {
        byte[] bytes = new byte[n];
        int read = 0;
        int b;
        while (read < n && (b = read()) >= 0) {
            bytes[read++] = (byte) b;
        }
        return read == n ? bytes : Arrays.copyOf(bytes, read);
    }

    /** An unsigned LEB128 number of at most 32 bits. */
    long readU32(String what) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = read();
            if (b < 0) {
                throw new WasmBinaryValidator.MalformedModule("the module ends inside " + what);
            }
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (value > 0xffff_ffffL) {
                    throw new WasmBinaryValidator.MalformedModule(what + " is out of range");
                }
                return value;
            }
        }
        throw new WasmBinaryValidator.MalformedModule(what + " is not a valid number");
    }

    /** Skips {@code n} bytes (hashing them) and answers the last one; fails if the module ends first. */
    int skip(long n) throws IOException {
        int last = -1;
        long left = n;
        while (left > 0) {
            if (start == end && !fill()) {
                throw new WasmBinaryValidator.MalformedModule("unexpected end: the module is truncated");
            }
            int chunk = (int) Math.min(left, end - start);
            start += chunk;
            position += chunk;
            left -= chunk;
            last = buffer[start - 1] & 0xff;
        }
        return last;
    }

    /** Copies the next {@code n} bytes to {@code out}; fails if the module ends first. */
    void copy(long n, OutputStream out) throws IOException {
        long left = n;
        while (left > 0) {
            if (start == end && !fill()) {
                throw new WasmBinaryValidator.MalformedModule("unexpected end: the module is truncated");
            }
            int chunk = (int) Math.min(left, end - start);
            out.write(buffer, start, chunk);
            start += chunk;
            position += chunk;
            left -= chunk;
        }
    }

    /** The SHA-256 of every byte read, as 64 hex digits; call once, at the end. */
    String sha256() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    private boolean fill() throws IOException {
        int read = in.read(buffer, 0, BUFFER);
        if (read <= 0) {
            return false;
        }
        sha256.update(buffer, 0, read);
        start = 0;
        end = read;
        return true;
    }
}
