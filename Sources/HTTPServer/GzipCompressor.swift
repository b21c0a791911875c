import CZlib

/// gzip through the system zlib. One per event loop: the `z_stream` (and its ~256 KiB of
/// state) is allocated on first use and reset per body rather than set up per response.
final class GzipCompressor {
    /// Heap-allocated so its address never moves: zlib keeps a pointer back to it and
    /// checks it on every call, and `&property` on a class gives no such promise.
    private let stream: UnsafeMutablePointer<z_stream>
    private let level: Int32
    /// nil until the first body: zlib's state is only allocated by loops that compress.
    private var ready: Bool?

    init(level: Int32 = Z_DEFAULT_COMPRESSION) {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if ready == true { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func prepare() -> Bool {
        if let ready { return ready && deflateReset(stream) == Z_OK }
        // windowBits 31 = 15 (32 KiB window) + 16 (gzip wrapper instead of zlib's).
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        ready = status == Z_OK
        return status == Z_OK
    }

    /// The gzip member for `input`, or nil if zlib failed (the caller then sends it plain).
    func compress(_ input: [UInt8]) -> [UInt8]? {
        guard prepare() else { return nil }
        let bound = Int(deflateBound(stream, UInt(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.pointee.avail_in = UInt32(inBuf.count)
                stream.pointee.next_out = outBuf.baseAddress
                stream.pointee.avail_out = UInt32(outBuf.count)
                return deflate(stream, Z_FINISH)
            }
        }
        let produced = Int(stream.pointee.total_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        guard status == Z_STREAM_END else { return nil }
        output.removeSubrange(produced...)
        return output
    }
}
