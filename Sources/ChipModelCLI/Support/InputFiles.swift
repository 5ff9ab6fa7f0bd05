import ChipModelKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The identity of a file on disk (device and inode): how an output path is recognised as one
/// of the run's inputs whatever path, link or `..` named it.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// The identity of the file at `path` (following links), or nil when there is none.
    public static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        return stat(path, &st) == 0 ? FileIdentity(st) : nil
    }
}

/// What kind of file a mode is, for messages: "a directory", "a FIFO", ...
func fileKindName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFLNK: return "a symbolic link"
    default: return "not a regular file"
    }
}

/// Reading input files from disk: only regular files, at most a size limit.
///
/// A FIFO, socket or device where a file is expected would block forever or never end, so the
/// path is checked with `stat(2)` before it is opened; it is then opened with `O_NONBLOCK` (an
/// open can never block, even if the file was swapped for a FIFO in between) and the opened
/// descriptor is checked again with `fstat(2)` (same file, still regular) before a byte is read.
/// Symbolic links to regular files are followed. Errors are one line naming the path:
/// exit 66 (EX_NOINPUT) for a missing, unreadable or non-regular file, 65 for one over the limit.
enum InputFiles {
    static func readRegularFile(_ full: String, display: String, limit: Int) throws(RunError) -> (bytes: [UInt8], identity: FileIdentity) {
        let name = oneLine(display)
        let tooLarge = RunError("\(name): larger than \(limit >> 20) MB, refusing to load", exitCode: 65)
        var st = stat()
        guard stat(full, &st) == 0 else { throw missing(name, errno) }
        try requireRegular(st, name)
        if Int64(st.st_size) > Int64(limit) { throw tooLarge }
        let fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw missing(name, errno) }
        defer { _ = close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0 else { throw RunError("\(name): cannot be read (\(StandardStreams.describe(errno)))", exitCode: 66) }
        try requireRegular(opened, name)
        guard FileIdentity(opened) == FileIdentity(st) else {
            throw RunError("\(name): changed while it was being opened; try again", exitCode: 66)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(Int(max(0, opened.st_size)), limit) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count <= limit {
            let want = min(chunk.count, limit + 1 - bytes.count)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw RunError("\(name): cannot be read (\(StandardStreams.describe(errno)))", exitCode: 66)
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.count > limit { throw tooLarge }
        return (bytes, FileIdentity(opened))
    }

    static func requireRegular(_ st: stat, _ name: String) throws(RunError) {
        let kind = st.st_mode & S_IFMT
        if kind == S_IFREG { return }
        if kind == S_IFDIR { throw RunError("\(name): is a directory, expected a file", exitCode: 66) }
        throw RunError("\(name): is \(fileKindName(st.st_mode)), expected a regular file", exitCode: 66)
    }

    static func missing(_ name: String, _ error: Int32) -> RunError {
        if error == ENOENT || error == ENOTDIR { return RunError("\(name): no such file", exitCode: 66) }
        return RunError("\(name): cannot be read (\(StandardStreams.describe(error)))", exitCode: 66)
    }

    /// The names of the `*.json` entries of a directory, sorted (each is then read with
    /// `readRegularFile`, so a FIFO named `x.json` is refused by name).
    static func jsonNames(inDirectory full: String, display: String) throws(RunError) -> [String] {
        let name = oneLine(display)
        var st = stat()
        guard stat(full, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw RunError("\(name): no such directory", exitCode: 66) }
            throw RunError("\(name): cannot be read (\(StandardStreams.describe(errno)))", exitCode: 66)
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw RunError("\(name): is \(fileKindName(st.st_mode)), expected a directory", exitCode: 66)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: full) } catch {
            throw RunError("\(name): cannot be listed", exitCode: 66)
        }
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }
}
