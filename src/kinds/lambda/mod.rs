//! Lambda kinds: the Lambda@Edge functions (in us-east-1).

pub mod edge_function;
