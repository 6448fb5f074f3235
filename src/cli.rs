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

/// How output looks: for every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour the output (stdout and stderr); auto colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Say only errors and the result: no progress, no notes.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// Where the AWS account and wway's state are: for the commands that use them.
#[derive(Debug, Args)]
pub struct CloudArgs {
    /// Send every AWS API call to this endpoint (an emulator); the SDK also reads AWS_ENDPOINT_URL.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The AWS profile to take credentials from; it wins over keys in the
    /// environment. Without it, the standard chain (which reads AWS_PROFILE).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Where journals and the lock live (default: `.wway` beside the topology file).
    #[arg(long, value_name = "DIR", env = "WWAY_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// Keep journals and the lock in S3 (s3://BUCKET/PREFIX[?region=R]), overriding the file's `backend:`.
    #[arg(long, value_name = "URL", env = "WWAY_BACKEND")]
    pub backend: Option<String>,
    /// How long to wait for AWS's answer to one request before asking again
    /// (as the AWS CLI's --cli-read-timeout).
    #[arg(long, value_name = "SECONDS", env = "WWAY_READ_TIMEOUT", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub read_timeout: u64,
    /// Say more on stderr (API calls and timings).
    #[arg(short, long, action = clap::ArgAction::Count)]
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
    ///
    /// With a `resilience:` section, also report what losing each region
    /// does: failover times against the rto, where each routed name's users
    /// go, and whether the other regions hold the spike (warnings where not).
    Validate {
        /// The topology file.
        #[arg(default_value = "wway.yaml")]
        topology: PathBuf,
        /// `json` prints the summary's data and the resilience report.
        #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
        format: PlanFormat,
    },
    /// Read the live account and print what must change to match the topology.
    ///
    /// Exit status: 0 success, 1 error; with --detailed-exitcode, 2 when there are changes.
    Plan(PlanArgs),
    /// Plan, confirm, and carry the plan out; roll back what it did if a step fails.
    ///
    /// Exit status: 0 success (or nothing to do), 1 error.
    Apply(ApplyArgs),
    /// Delete every resource this topology owns, in reverse dependency order.
    Destroy(RunArgs),
    /// Undo the last apply (or the run a journal names).
    Rollback(RollbackArgs),
    /// Report what changed in the account behind wway's back (for cron and CI).
    ///
    /// Exit status: 0 no drift, 2 drift, 1 error.
    Drift(DriftArgs),
    /// Fail a region over on the live account, check where its users went, and restore it.
    ///
    /// Every routed name's answer must move as the topology predicts.
    /// The region's health checks are inverted (Route 53 then sees them
    /// unhealthy; the endpoints are not touched), Route 53's answers are
    /// asked until they move (TestDNSAnswer), then the checks are restored,
    /// always: at the end, on failure, on Ctrl-C; a drill that was killed
    /// is restored by the next drill, apply, destroy or rollback.
    ///
    /// Exit status: 0 every answer moved as predicted within the rto, 2 not, 1 error.
    Drill(DrillArgs),
    /// Write the topology in another tool's format.
    #[command(subcommand)]
    Export(ExportFormat),
    /// Clear the lock of a run that died, by the id its message gave.
    ForceUnlock(UnlockArgs),
    /// Print the dependency graph of the topology's resources (no cloud calls).
    Graph {
        /// The topology file.
        #[arg(default_value = "wway.yaml")]
        topology: PathBuf,
        /// Graphviz DOT, or a Mermaid flowchart (renders in GitHub and GitLab).
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
    /// For people, or JSON for tools (docs/plan-json.md).
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Exit 2 when the plan has changes, 0 when it has none (1 is an error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// Terraform HCL for the AWS provider 6.x: one file per region and concern, variables, outputs.
    Terraform(ExportArgs),
    /// The edge router's routing.json, from the topology's geolocation record (no cloud call).
    ///
    /// Each country's regions in the order DNS falls back (its record, its
    /// continent's, the default), then the others nearest first; so the CDN
    /// and DNS agree on who serves whom.
    EdgeRouting {
        /// The topology file.
        #[arg(default_value = "wway.yaml")]
        topology: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The topology file.
    #[arg(default_value = "wway.yaml")]
    pub topology: PathBuf,
    /// The folder to write the .tf files into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Read the live account and add `import` blocks with the real id of every declared resource that exists.
    #[arg(long)]
    pub with_imports: bool,
    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The topology file.
    #[arg(default_value = "wway.yaml")]
    pub topology: PathBuf,
    /// For people, JSON (docs/drift-json.md), or Prometheus metrics (docs/drift.md).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write the report to this file, atomically (for node_exporter's textfile collector).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The region to lose.
    pub region: String,
    /// The topology file.
    #[arg(default_value = "wway.yaml")]
    pub topology: PathBuf,
    /// Print what losing the region should do, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// For people, JSON, or Prometheus metrics (failover seconds per name against the rto).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write the report to this file, atomically (for node_exporter's textfile collector).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Ask Route 53 as a user of COUNTRY from ADDRESS (repeatable), for a country wway knows no address of.
    #[arg(long = "client", value_name = "COUNTRY=ADDRESS")]
    pub clients: Vec<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
    Prometheus,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The topology file, or for apply a plan saved by `wway plan --out`.
    #[arg(default_value = "wway.yaml")]
    pub topology: PathBuf,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How many steps may make requests at once (a step waiting for AWS does not count).
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    /// No progress bars, plain lines only (as when stderr is not a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// How long to wait for AWS on one kind's steps, e.g. node-group=90m (repeatable; s, m or h). The defaults are real AWS's: eks-cluster 30m to create, node-group 60m, distribution 30m.
    #[arg(long = "timeout", value_name = "KIND=DURATION")]
    pub timeouts: Vec<String>,
    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// The run to undo: its id, or its journal file under the state folder's journal/ (default: the last apply not undone).
    #[arg(long, value_name = "RUN")]
    pub journal: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The lock's id, as the message of the run it stopped gave it.
    pub id: String,
    /// The topology file.
    #[arg(default_value = "wway.yaml")]
    pub topology: PathBuf,
    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Leave what a failed run did in place instead of undoing it.
    #[arg(long)]
    pub no_rollback: bool,
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
