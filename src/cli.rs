//! The command line: clap types only. Flags and environment variables end up
//! in plain settings that the commands take; nothing here does any work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "wway",
    version,
    about = "Declare a multi-region AWS footprint in one YAML file, and keep the account in step with it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Send every AWS API call to this endpoint (an emulator); the SDK also reads AWS_ENDPOINT_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The AWS profile to take credentials from (else the standard chain).
    #[arg(long, global = true, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a topology file without calling any cloud API (exit 0 valid, 1 problems).
    Validate {
        /// The topology file.
        #[arg(default_value = "wway.yaml")]
        topology: PathBuf,
    },
    /// Print the JSON Schema of the topology file format, for editors.
    Schema,
}
