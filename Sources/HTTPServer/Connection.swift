/// One accepted socket as its event loop sees it: the pure state machine plus the I/O
/// state only the loop needs (unsent bytes, what epoll watches, lingering close).
/// Touched only on its loop's thread.
final class Connection {
    let fd: Int32
    /// Unique within the loop: a late answer for a closed connection whose fd number was
    /// reused must not reach the new one.
    let id: UInt64
    var machine: ConnectionStateMachine
    /// Encoded responses not yet accepted by the kernel, from `outboundOffset` on.
    var outbound: [UInt8] = []
    var outboundOffset = 0
    /// The epoll mask currently registered.
    var registered: UInt32
    /// The state machine asked to close once `outbound` is empty.
    var closeWhenFlushed = false
    /// Set after `shutdown(SHUT_WR)`: input is read and discarded until EOF or this time,
    /// so unread request bytes do not turn our close into a reset that could destroy the
    /// response the client has not read yet.
    var lingerDeadline: Double?
    var isClosed = false
    var isDirty = false

    init(fd: Int32, id: UInt64, machine: ConnectionStateMachine, registered: UInt32) {
        self.fd = fd
        self.id = id
        self.machine = machine
        self.registered = registered
    }

    var hasPendingOutput: Bool { outboundOffset < outbound.count }
}
