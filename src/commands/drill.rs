//! `wway drill REGION`: a failover drill on the live account. `--dry-run`
//! prints what losing the region should do ([`resilience::drill`]) and
//! calls nothing. Otherwise, under the lock: put back what a killed drill
//! left ([`restore_unfinished`]); read the account (the checks and zone the
//! topology owns, and that its DNS is as the file says); ask every question
//! once (each answer must be as predicted with every region up); confirm;
//! record the region's checks in the store, invert them, and ask until every
//! answer has moved (at most twice the rto); then restore the checks, ask
//! until every answer is back, and remove the record. The checks are
//! restored on every way out but a kill, which the next drill, apply,
//! destroy or rollback mends.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::run::{aws, confirm, interrupt, read_account, release, store, unless_interrupted};
use super::{Context, Failure, Printer, Status, emit, load};
use crate::cli::{DrillArgs, ReportFormat};
use crate::cloud::CloudError;
use crate::cloud::route53::Route53;
use crate::exec::drill::{self as record, Record};
use crate::exec::interrupt::Interrupt;
use crate::exec::journal::now;
use crate::kinds::Service;
use crate::kinds::route53::{health_check, zone};
use crate::present::drill as report;
use crate::resilience::drill::{Checked, Drilled, Prediction, Probe, Verdict, predict, verdict};
use crate::store::Store;
use crate::topology::Topology;

/// The exit status of a drill whose answers did not move as predicted.
const NOT_AS_PREDICTED: u8 = 2;

/// The longest pause between two rounds of questions.
const MOST_PAUSE: Duration = Duration::from_secs(5);

/// A weighted answer is random: this many answers in a row must avoid the
/// lost region before it counts as moved.
const WEIGHTED_ROUNDS: u32 = 3;

pub fn run(args: &DrillArgs, context: &Context) -> Status {
    let (_, topology) = load(&args.topology, &context.printer)?;
    let given = clients(&args.clients)?;
    let lost = topology.regions.iter().find(|r| r.name.value == args.region);
    if lost.is_some_and(|r| r.origin.is_none()) {
        return Err(format!(
            "{} has no `origin`: no record routes users to it, so losing it moves nobody",
            args.region
        )
        .into());
    }
    if lost.is_none() {
        let regions: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
        return Err(format!(
            "{} is not a region of topology `{}` (it has {})",
            args.region,
            topology.name,
            regions.join(", ")
        )
        .into());
    }
    let Some(dns) = topology.dns.as_ref().filter(|d| d.health_check.is_some()) else {
        return Err(format!(
            "topology `{}` has no `dns.health_check`: Route 53 routes nothing by health, so nothing fails over",
            topology.name
        )
        .into());
    };
    let prediction = predict(&topology, &args.region, &given);
    // The file's rto, else the worst case the resilience report computes.
    let rto = topology.resilience.as_ref().map(|r| r.rto.value);
    let mut drilled = Drilled {
        topology: topology.name.clone(),
        region: args.region.clone(),
        rto_seconds: rto.or(crate::resilience::failover_seconds(dns)).unwrap_or_default(),
        ttl_seconds: dns.ttl,
        dry_run: args.dry_run,
        probes: Vec::new(),
        unasked: prediction.unasked.clone(),
        restored_seconds: None,
        stopped: None,
    };
    let code = if args.dry_run {
        drilled.probes = prediction.probes.into_iter().map(predicted).collect();
        ExitCode::SUCCESS
    } else {
        context.block_on(live(args, &topology, &prediction, &mut drilled, context))??
    };
    let text = match args.format {
        ReportFormat::Human => report::human(&drilled),
        ReportFormat::Json => report::json(&drilled),
        ReportFormat::Prometheus => report::prometheus(&drilled, now()),
    };
    emit(&text, args.output.as_deref(), &context.printer)?;
    if code == ExitCode::SUCCESS && !drilled.passed() {
        return Ok(ExitCode::from(NOT_AS_PREDICTED));
    }
    Ok(code)
}

/// `--client VN=14.160.0.1`, as (country, address).
fn clients(given: &[String]) -> Result<Vec<(String, String)>, Failure> {
    given
        .iter()
        .map(|pair| {
            let (country, address) = pair.split_once('=').ok_or_else(|| {
                format!("--client {pair}: expected COUNTRY=ADDRESS, e.g. VN=14.160.0.1")
            })?;
            let country = country.trim().to_ascii_uppercase();
            if !crate::topology::catalog::COUNTRIES.contains(&country.as_str()) {
                return Err(format!("--client {pair}: {country} is not an ISO country code").into());
            }
            address.trim().parse::<std::net::IpAddr>().map_err(|_| {
                Failure::from(format!("--client {pair}: {address} is not an IP address"))
            })?;
            Ok((country, address.trim().to_string()))
        })
        .collect()
}

fn predicted(probe: Probe) -> Checked {
    Checked {
        probe,
        answered: None,
        moved_seconds: None,
        failover_seconds: None,
        verdict: Verdict::Predicted,
    }
}

/// The drill on the account, under the lock.
async fn live(
    args: &DrillArgs,
    topology: &Topology,
    prediction: &Prediction,
    drilled: &mut Drilled,
    context: &Context,
) -> Status {
    let file = &args.topology;
    let store = store(file, topology, context).await?;
    let interrupt = interrupt(&context.printer)?;
    let lock = super::run::lock(store.clone(), "drill", file, context).await?;
    let result = locked(args, topology, prediction, drilled, store, interrupt, context).await;
    release(lock, &context.printer).await;
    result
}

/// What a drill asks Route 53, and how to read the answers.
struct Questions<'a> {
    route53: Route53,
    zone_id: String,
    /// Each region's origin, as the records answer it.
    origins: BTreeMap<String, String>,
    probes: &'a [Probe],
}

impl Questions<'_> {
    /// The region Route 53 answers a probe with (or the answer itself when
    /// no region has it).
    async fn ask(&self, probe: &Probe) -> Result<Option<String>, CloudError> {
        let answer =
            self.route53.answer(&self.zone_id, &probe.name, probe.client.as_deref()).await?;
        Ok(answer.first().map(|value| {
            let region =
                self.origins.iter().find(|(_, origin)| origin.trim_end_matches('.') == value);
            region.map_or_else(|| value.clone(), |(region, _)| region.clone())
        }))
    }
}

#[allow(clippy::too_many_arguments)]
async fn locked(
    args: &DrillArgs,
    topology: &Topology,
    prediction: &Prediction,
    drilled: &mut Drilled,
    store: Arc<dyn Store>,
    interrupt: Interrupt,
    context: &Context,
) -> Status {
    let printer = &context.printer;
    restore_unfinished(store.as_ref(), context).await?;
    let (questions, check, check_id) = prepare(args, topology, prediction, &store, context).await?;
    if let Some(wrong) = baseline(&questions).await.map_err(|e| e.to_string())? {
        let probe = &wrong.probe;
        drilled.stopped = Some(format!(
            "before the drill, {} ({}) answered {}, not {}: the prediction does not hold with every region up; nothing was changed",
            probe.name,
            probe.users,
            wrong.answered.as_deref().unwrap_or("nothing"),
            probe.before.join(" or ")
        ));
        drilled.probes.push(wrong);
        return Ok(ExitCode::from(NOT_AS_PREDICTED));
    }
    let moving = prediction.probes.iter().filter(|p| p.moves()).count();
    printer.show(format!(
        "Drill of {}: invert the health check {check} ({check_id}); {moving} of {} answers should move, \
         and be back once it is restored.\n",
        args.region,
        prediction.probes.len()
    ));
    let question = format!("Take {} down in Route 53's eyes?", args.region);
    let asked = confirm(&question, args.auto_approve, printer);
    match unless_interrupted(&interrupt, asked).await {
        Ok(Ok(true)) => {}
        Ok(Err(error)) => return Err(error.into()),
        Ok(Ok(false)) => {
            printer.line("Drill cancelled.");
            return Err(Failure::Reported);
        }
        Err(signal) => {
            return Ok(super::run::stopped_before_changes("Drill", signal, printer));
        }
    }

    let held = Record::new(&topology.name, &args.region, vec![(check.clone(), check_id.clone())]);
    record::write(store.as_ref(), &held).await.map_err(|e| e.to_string())?;
    let limit = Duration::from_secs(u64::from(drilled.rto_seconds) * 2);
    let observed = match questions.route53.set_inverted(&check_id, true).await {
        Ok(_) => {
            let watching = watch(&questions, Instant::now(), limit, printer);
            unless_interrupted(&interrupt, watching).await.ok().transpose()
        }
        Err(error) => Err(error),
    };
    // Restore, whatever happened.
    let restoring = Instant::now();
    if let Err(error) = restore(&questions, &check_id, limit, printer).await {
        return Err(format!(
            "the drill could not restore {check} ({error}); it is still inverted: the next `wway drill`, \
             `apply` or `rollback` restores it from {}",
            store.location(record::KEY)
        )
        .into());
    }
    record::remove(store.as_ref()).await.map_err(|e| e.to_string())?;
    drilled.restored_seconds = Some(restoring.elapsed().as_secs_f64());
    let Some(seen) = observed.map_err(|e| e.to_string())? else {
        drilled.stopped = Some("interrupted; the checks were restored".into());
        return Ok(ExitCode::from(Interrupt::exit_status(interrupt.requested().unwrap_or(2))));
    };
    let (ttl, rto) = (drilled.ttl_seconds, drilled.rto_seconds);
    drilled.probes = prediction
        .probes
        .iter()
        .zip(seen)
        .map(|(probe, (answered, moved))| Checked {
            probe: probe.clone(),
            verdict: verdict(probe, answered.as_deref(), moved, ttl, rto),
            answered,
            moved_seconds: moved,
            failover_seconds: moved.map(|m| m + f64::from(ttl)),
        })
        .collect();
    Ok(ExitCode::SUCCESS)
}

/// Reads the account and checks it can be drilled: its DNS as the file
/// declares, the region's check the topology's, not inverted, its endpoint
/// up. Gives the questions to ask, the check's address and its id.
async fn prepare<'a>(
    args: &DrillArgs,
    topology: &Topology,
    prediction: &'a Prediction,
    store: &Arc<dyn Store>,
    context: &Context,
) -> Result<(Questions<'a>, crate::state::ResourceAddr, String), Failure> {
    let cloud = aws(store.as_ref(), context).await?;
    let mut topology = topology.clone();
    let (desired, live, _) = read_account(&args.topology, &mut topology, context).await?;
    let plan = crate::plan::plan(&desired, &live).map_err(|errors| {
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: ")
    })?;
    let route53_changes =
        plan.changes.iter().filter(|c| c.kind.def().about().service == Service::Route53);
    let dns_changes: Vec<String> = route53_changes.map(|c| c.address.to_string()).collect();
    if !dns_changes.is_empty() {
        return Err(format!(
            "the account's DNS is not as the topology declares ({}): a drill would test what is not declared; apply first",
            dns_changes.join(", ")
        )
        .into());
    }
    let check = health_check::addr(&args.region);
    let check_id = live.owned.get(&check).map(|r| r.id.clone()).ok_or_else(|| {
        format!("{check} is not in the account: apply the topology before drilling it")
    })?;
    let dns = topology.dns.as_ref().ok_or("the topology has no dns")?;
    let zone_id = live.ids().ids.get(&zone::addr(&dns.zone)).cloned().ok_or_else(|| {
        format!("the hosted zone {} is not in the account: apply the topology first", dns.zone)
    })?;
    let origins = topology.origins();
    let route53 = cloud.route53_drill().await;
    if route53.inverted(&check_id).await.map_err(|e| e.to_string())? == Some(true) {
        return Err(format!(
            "{check} is inverted already: restore it (`wway apply`) before a drill"
        )
        .into());
    }
    if !route53.endpoint_healthy(&check_id).await.map_err(|e| e.to_string())? {
        return Err(format!(
            "Route 53's checkers see {check}'s endpoint unhealthy now: the region is down already; a drill needs it up"
        )
        .into());
    }
    Ok((Questions { route53, zone_id, origins, probes: &prediction.probes }, check, check_id))
}

/// Asks every question once, with every region up: the first answer that
/// is not as predicted, if one is not.
async fn baseline(questions: &Questions<'_>) -> Result<Option<Checked>, CloudError> {
    for probe in questions.probes {
        let answered = questions.ask(probe).await?;
        if !answered.as_ref().is_some_and(|a| probe.before.contains(a)) {
            return Ok(Some(Checked {
                answered,
                verdict: Verdict::Wrong,
                ..predicted(probe.clone())
            }));
        }
    }
    Ok(None)
}

/// Asks the questions whose answers should move, in rounds, until each
/// has moved (a weighted one avoided the lost region a few times in a row)
/// or `limit` passed; then every question once more. Gives each probe's
/// last answer and, for one that moved, the seconds it took.
async fn watch(
    questions: &Questions<'_>,
    started: Instant,
    limit: Duration,
    printer: &Printer,
) -> Result<Vec<(Option<String>, Option<f64>)>, CloudError> {
    let probes = questions.probes;
    let mut seen: Vec<(Option<String>, Option<f64>)> = vec![(None, None); probes.len()];
    let mut streak = vec![0u32; probes.len()];
    let say = Sayer::new(printer);
    let mut last_round = false;
    loop {
        for (i, probe) in probes.iter().enumerate() {
            // An answer that is to stay is asked once the others moved.
            let settled = seen[i].1.is_some() && streak[i] >= rounds(probe);
            if settled || (!probe.moves() && !last_round) {
                continue;
            }
            let answered = questions.ask(probe).await?;
            let predicted = answered.as_ref().is_some_and(|a| probe.during.contains(a));
            streak[i] = if predicted { streak[i] + 1 } else { 0 };
            if predicted && probe.moves() && seen[i].1.is_none() {
                seen[i].1 = Some(started.elapsed().as_secs_f64());
            }
            seen[i].0 = answered;
        }
        let waiting = probes
            .iter()
            .enumerate()
            .filter(|(i, p)| p.moves() && (seen[*i].1.is_none() || streak[*i] < rounds(p)))
            .count();
        let elapsed = started.elapsed();
        if last_round {
            return Ok(seen);
        }
        if waiting == 0 || elapsed > limit {
            last_round = true;
            continue;
        }
        say.now(format!("drill: {waiting} answers still to move ({} s)", elapsed.as_secs()));
        tokio::time::sleep((elapsed / 10).clamp(Duration::from_millis(200), MOST_PAUSE)).await;
    }
}

fn rounds(probe: &Probe) -> u32 {
    if probe.policy == "weighted" { WEIGHTED_ROUNDS } else { 1 }
}

/// Turns the check back and waits until every answer is as before the drill.
async fn restore(
    questions: &Questions<'_>,
    check_id: &str,
    limit: Duration,
    printer: &Printer,
) -> Result<(), CloudError> {
    questions.route53.set_inverted(check_id, false).await?;
    let say = Sayer::new(printer);
    let progress = |status: &str| say.now(status);
    crate::cloud::wait::until("the drill's restore", limit, &progress, || async {
        let mut back = 0;
        for probe in questions.probes {
            let answered = questions.ask(probe).await?;
            back += usize::from(answered.is_some_and(|a| probe.before.contains(&a)));
        }
        Ok(match back == questions.probes.len() {
            true => crate::cloud::wait::Poll::Done,
            false => crate::cloud::wait::Poll::Waiting(format!(
                "{} of {} answers back",
                back,
                questions.probes.len()
            )),
        })
    })
    .await
}

/// Puts back the health checks a drill that was killed left inverted (its
/// record in the store), before a command that holds the lock does
/// anything else.
pub async fn restore_unfinished(store: &dyn Store, context: &Context) -> Result<(), String> {
    let Some(left) = record::read(store).await.map_err(|e| e.to_string())? else {
        return Ok(());
    };
    let route53 = aws(store, context).await?.route53_drill().await;
    for (addr, id) in &left.checks {
        route53.set_inverted(id, false).await.map_err(|e| {
            format!(
                "cannot restore {addr} ({id}), which the drill of {} inverted: {e}",
                left.region
            )
        })?;
    }
    record::remove(store).await.map_err(|e| e.to_string())?;
    let checks: Vec<String> = left.checks.iter().map(|(addr, _)| addr.to_string()).collect();
    context.printer.note(format!(
        "A drill of {} (process {} on {}) did not finish: its health checks are restored ({}).",
        left.region,
        left.pid,
        left.host,
        checks.join(", ")
    ));
    Ok(())
}

/// Says a wait's progress on stderr, every few seconds at most.
struct Sayer<'a> {
    printer: &'a Printer,
    last: std::sync::Mutex<Option<Instant>>,
}

impl<'a> Sayer<'a> {
    /// How often a wait says where it is.
    const EVERY: Duration = Duration::from_secs(10);

    fn new(printer: &'a Printer) -> Self {
        Sayer { printer, last: std::sync::Mutex::new(None) }
    }

    fn now(&self, status: impl std::fmt::Display) {
        let Ok(mut last) = self.last.lock() else { return };
        if last.is_none_or(|at| at.elapsed() >= Self::EVERY) {
            *last = Some(Instant::now());
            self.printer.note(status);
        }
    }
}
