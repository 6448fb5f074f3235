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
    /// Say more on stderr (API calls and timings).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
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
    /// Read the live account and print what must change to match the topology.
    ///
    /// Exit status: 0 success, 1 error; with --detailed-exitcode, 2 when there are changes.
    Plan(PlanArgs),
    /// Print the dependency graph of the topology's resources (no cloud calls).
    Graph {
        /// The topology file.
        #[arg(default_value = "wway.yaml")]
        topology: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Print the JSON Schema of the topology file format, for editors.
    Schema,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The topology file.
    #[arg(default_value = "wway.yaml")]
    pub topology: PathBuf,
    /// Also save the plan (JSON, with fingerprints of what it read) to this file.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Exit 2 when the plan has changes, 0 when it has none (1 is an error).
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}
