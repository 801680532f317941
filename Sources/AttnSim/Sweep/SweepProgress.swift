import Foundation

/// Progress of a sweep on stderr: a bar with rate and ETA redrawn in place on a terminal, plain periodic lines
/// (every 10% or 5 s) when stderr is a file or a pipe.
public final class SweepProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive: Bool
    private let write: (String) -> Void
    private var total = 0
    private var done = 0
    private var startDone = 0
    private var start = Date()
    private var lastPrint = Date.distantPast
    private var lastDecile = -1

    public init(interactive: Bool, write: @escaping (String) -> Void) {
        self.interactive = interactive
        self.write = write
    }

    func start(total: Int, done: Int) {
        lock.lock()
        defer { lock.unlock() }
        self.total = total
        self.done = done
        startDone = done
        start = Date()
        if done > 0 { write("resuming: \(done) of \(total) points already done\n") }
        draw(force: true)
    }

    func advance() {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        draw(force: done == total)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if interactive { write("\n") }
    }

    private func draw(force: Bool) {
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done - startDone) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? Double(done) / Double(total) * 100 : 100
        let status = "\(done)/\(total) points (\(String(format: "%.0f", percent)) %), "
            + String(format: "%.1f points/s", rate) + (done < total && rate > 0 ? ", ETA \(Self.duration(remaining))" : "")
        if interactive {
            guard force || now.timeIntervalSince(lastPrint) > 0.1 else { return }
            let width = 30
            let filled = total > 0 ? done * width / total : width
            write("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + status
                + "   ")
        } else {
            let decile = total > 0 ? done * 10 / total : 10
            guard force || decile > lastDecile || now.timeIntervalSince(lastPrint) > 5 else { return }
            lastDecile = decile
            write(status + "\n")
        }
        lastPrint = now
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 90 ? String(format: "%.0f s", seconds) : String(format: "%.0f min %02.0f s", (seconds / 60).rounded(.down),
                                                                    seconds.truncatingRemainder(dividingBy: 60))
    }
}
