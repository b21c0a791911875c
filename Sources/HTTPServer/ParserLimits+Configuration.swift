extension ParserLimits {
    /// The server's configured limits. Kept apart from `RequestParser.swift` so the
    /// fuzzer (scripts/fuzz.sh) can compile the parser without the rest of the engine.
    public init(configuration: HTTPServerConfiguration) {
        self.init()
        maxRequestLineBytes = configuration.maxRequestLineBytes
        maxHeaderBytes = configuration.maxHeaderBytes
        maxHeaderCount = configuration.maxHeaderCount
        maxBodyBytes = configuration.maxBodyBytes
    }
}
