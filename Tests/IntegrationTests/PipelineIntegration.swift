import Testing

/// The end-to-end suites. They run one at a time: each drives whole stages
/// against the shared stack, and timing assertions (CDC latency) must not
/// compete with a 200,000-row snapshot for the machine's two cores.
@Suite(.serialized) enum PipelineIntegration {}
