"""Process wiring: store, simulator, pollers on APScheduler, the pipeline and the web app.

Everything long-lived is started here in dependency order and stopped in reverse, so ``careline run``
and ``careline demo`` differ only in the settings they start from (the demo adds the simulator and
points the sources at it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import logging
import shlex
import signal
import socket
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from careline.app.http import AiohttpTransport, webhook_session
from careline.app.listening import Listening
from careline.app.pipeline import Pipeline
from careline.domain import utcnow
from careline.errors import CarelineError, ConfigError
from careline.live import LiveSettings
from careline.settings import Settings, SimulatorSettings, load_settings
from careline.store import Store
from careline.store.retention import Purged, purge_batch
from classifiers.abc import Classifier
from classifiers.topics import ENCODERS, TopicParams, assign_pending, brand_words, build_embedder
from listener.poller import Poller
from platforms.registry import build_senders
from responder import workflow
from responder.alerts import deliver_webhooks, sweep_sla
from responder.housekeeping import tick
from responder.spikes import record_spikes
from responder.workflow import Desk

log = logging.getLogger("careline")
REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "config" / "demo.toml"


class NoDatabase(ConfigError):
    """A read-only command was pointed at a file that does not exist (exit 2, like any config error)."""

    def __init__(self, path: str | Path) -> None:
        if Path(path).is_dir():  # "no database at DIR" after "disk I/O error": say what it is instead
            CarelineError.__init__(self, f"{path} is a folder, not a database file: point service.database at a "
                                         "file in it")
        else:
            CarelineError.__init__(self, f"no database at {path} (`careline run` or `careline user add NAME --role "
                                         "admin` creates it; `careline demo` uses a file of its own and prints the "
                                         "command that points the CLI at it; or set service.database)")
        self.key, self.reason = "service.database", "missing"


def open_store(settings: Settings, *, must_exist: bool = False) -> Store:
    """A store for CLI commands, migrated exactly as the running service migrates it.

    ``must_exist`` is for commands that only read (``queue``, ``status``, listings, exports): a typo in
    service.database would otherwise create an empty file (and its folders) and show an empty answer as
    if it were the truth. Commands that set a service up (``run``, ``user add``, ``config import``, ``backfill``,
    ``restore``) create it; those a person runs say so."""
    from careline.app.web.migrations import WEB
    from careline.store.backup import ForeignDatabase, refuse_foreign

    path = settings.service.database
    if must_exist and str(path) != ":memory:":
        if not Path(path).is_file():
            raise NoDatabase(path)
        try:
            refuse_foreign(path)  # a reader must not turn another application's file into an empty Careline one
        except ForeignDatabase as exc:  # the path names the wrong file: a configuration error (exit 2)
            raise ConfigError("service.database", str(exc)) from None
    return Store(path, extra=[WEB]).open_sync()


def model_folder(settings: Settings) -> Path:
    """``classifier.model_dir``, a relative one read from the Careline folder (where the shipped model is)."""
    folder = Path(settings.classifier.model_dir)
    return folder if folder.is_absolute() else REPO / folder


def load_classifier(settings: Settings) -> Classifier:
    """The configured model; the lexicon fallback only when the config names it, never silently."""
    from classifiers.minilm import build_classifier

    cfg = settings.classifier
    model_dir = model_folder(settings)
    intents = settings.brand_intents()
    clf = build_classifier(cfg.kind, model_dir, threads=cfg.threads, extra_intents=intents or None,
                           precision=cfg.precision)
    clf.load()
    log.info("classifier %s loaded", clf.version)
    return clf


@dataclass
class Service:
    settings: Settings
    store: Store
    classifier: Classifier
    pipeline: Pipeline
    pollers: list[Poller] = field(default_factory=list)
    scheduler: AsyncIOScheduler | None = None
    runner: web.AppRunner | None = None
    url: str = ""
    #: The effective settings (bootstrap + the browser's overlay), kept current without a restart.
    live: LiveSettings | None = None


def schedule(pollers: list[Poller], settings: Settings) -> AsyncIOScheduler:
    """One interval job per source and brand; overlapping runs are skipped, missed runs coalesced."""
    sched = AsyncIOScheduler(timezone=UTC)
    for p in pollers:
        cfg = getattr(settings.sources, p.source.platform)  # one settings section per platform
        sched.add_job(p.run_once, "interval", seconds=cfg.interval_seconds, jitter=cfg.jitter_seconds,
                      id=f"poll:{p.source.key}", coalesce=True, max_instances=1,
                      misfire_grace_time=cfg.interval_seconds, next_run_time=datetime.now(UTC))
    return sched


def add_responder_jobs(sched: AsyncIOScheduler, desk: Desk, *, session: aiohttp.ClientSession,
                       every: int = 30) -> None:
    """Housekeeping, approved-reply sending, the SLA sweep and webhook delivery: one job each.

    Every job is idempotent and never overlaps itself (``max_instances=1``), so a slow platform or a
    missed tick delays work but never doubles it. Sending goes through the same use case as a person's
    send (``workflow.send_due`` -> ``deliver``), so a scheduled post moves the conversation the same way.
    """
    store = desk.store  # settings are read from the desk at each run: an admin's change applies on the next

    async def housekeeping() -> None:
        result = await tick(store, desk.settings, now=utcnow())
        if result.woken or result.reassigned or result.assigned:
            log.info("queue: woke %d, reassigned %d, assigned %d", result.woken, result.reassigned, result.assigned)

    async def send_queue() -> None:
        sent = await workflow.send_due(desk, now=utcnow())
        if sent:
            log.info("sent %d approved repl%s", sent, "y" if sent == 1 else "ies")

    async def sla() -> None:
        fired = await sweep_sla(store, desk.settings, now=utcnow())
        if fired:
            log.info("SLA sweep: %d new warning/breach/escalation event(s)", fired)
        await deliver_webhooks(store, desk.settings, AiohttpTransport(session), now=utcnow())

    first = datetime.now(UTC)
    for job, seconds, name in ((housekeeping, every, "housekeeping"), (send_queue, 10, "send"), (sla, every, "sla")):
        sched.add_job(job, "interval", seconds=seconds, id=f"responder:{name}", coalesce=True, max_instances=1,
                      misfire_grace_time=seconds, next_run_time=first)


#: How long a stop waits for the scheduler's jobs in flight (a poll, a send, the SLA sweep) before cancelling them.
STOP_GRACE_SECONDS = 10.0


async def stop_scheduler(scheduler: AsyncIOScheduler, *, grace: float = STOP_GRACE_SECONDS) -> None:
    """Start no more jobs, let those running finish (up to ``grace``), then shut the scheduler down.

    APScheduler 3's asyncio executor cancels running jobs at shutdown and cannot wait for them: a send cancelled
    between its claim and its post leaves a reply "sending" (in doubt until the next start reconciles it), and each
    cancelled job logs a traceback, which a stop right after the start (every job's first run) showed. The executor
    keeps its running tasks in ``_pending_futures``, which is read here for want of a public way."""
    scheduler.pause()
    executor = scheduler._lookup_executor("default")
    running = [f for f in getattr(executor, "_pending_futures", ()) if not f.done()]
    if running:
        _done, late = await asyncio.wait(running, timeout=grace)
        if late:
            log.warning("stopping: %d scheduled job(s) still running after %.0f s are cancelled", len(late), grace)
    scheduler.shutdown(wait=False)


def add_settings_job(sched: AsyncIOScheduler, live: LiveSettings, *, every: int = 5) -> None:
    """Notice a settings change saved by another process (``careline config import``) within seconds."""
    sched.add_job(live.refresh, "interval", seconds=every, id="settings:refresh", coalesce=True, max_instances=1,
                  misfire_grace_time=every)


async def purge(store: Store, settings: Settings, *, now: datetime) -> Purged:
    """Everything past the retention policy, one short write transaction per batch until none is left."""
    total = Purged()
    while True:
        done = await store.write(lambda db: purge_batch(db, settings.retention, now))
        total += done
        if done.total == 0:
            break
        await asyncio.sleep(0)  # let ingest and replies take the writer between batches
    if total.total:
        log.info("retention: emptied %d raw payload(s), deleted %d closed conversation(s) and %d audit event(s)",
                 total.raw_payloads, total.conversations, total.events)
    return total


def add_trend_jobs(sched: AsyncIOScheduler, store: Store, settings: Settings, *, base_url: str,
                   current: Callable[[], Settings] | None = None) -> None:
    """The complaint-topic job (every ``trends.topic_interval_seconds``) and the hourly spike alerts.
    The ``trends`` section is read at start; spike alerts read the brands and webhooks ``current``
    gives at each run (settings edited in the browser apply without a restart).

    Both are safe to overlap and to run in two processes: the topic job's write checks its cursor,
    spike alerts are unique per brand and hour (``classifiers.topics``, ``responder.spikes``). The
    SLA job's webhook delivery sends the spike alerts' rows.
    """
    cfg = settings.trends
    if cfg.topics:
        embedder = build_embedder(cfg.topic_encoder, settings.classifier.threads or None)
        ignore = brand_words(settings.brands)
        params = TopicParams(join=cfg.topic_join, backfill_days=cfg.topic_backfill_days, ignore=ignore)

        first_run = True  # names the topics even with nothing pending (assign_pending's rename)

        async def topics() -> None:
            nonlocal first_run
            for _ in range(8):  # a burst catches up in a few batches; the rest waits for the next run
                done = await assign_pending(store, embedder, encoder=ENCODERS[cfg.topic_encoder], now=utcnow(),
                                            params=params, rename=first_run)
                first_run = False
                if not done.assigned:
                    break

        sched.add_job(topics, "interval", seconds=cfg.topic_interval_seconds, id="trends:topics", coalesce=True,
                      max_instances=1, misfire_grace_time=cfg.topic_interval_seconds,
                      next_run_time=datetime.now(UTC))
    if cfg.spike_alerts:
        async def spikes() -> None:
            live = current() if current is not None else settings
            found = await store.write(lambda db: record_spikes(db, live, utcnow(), base_url=base_url))
            for alert in found:
                log.info("spike: %s had %d mentions in the hour %s (usual %.0f)", alert.brand, alert.spike.count,
                         alert.spike.at, alert.spike.mean)

        sched.add_job(spikes, "cron", minute=5, id="trends:spikes", coalesce=True, max_instances=1,
                      misfire_grace_time=3600)


def add_retention_job(sched: AsyncIOScheduler, store: Store, settings: Settings) -> None:
    """The daily purge at ``retention.run_at_hour`` UTC (coalesced: a missed day runs once)."""
    async def job() -> None:
        await purge(store, settings, now=utcnow())

    sched.add_job(job, "cron", hour=settings.retention.run_at_hour, minute=7, id="retention:purge",
                  coalesce=True, max_instances=1, misfire_grace_time=6 * 3600)


def listen_problem(host: str, port: int, exc: OSError) -> CarelineError:
    """Why the web app cannot listen on ``host:port``, in words that say what to change."""
    if exc.errno == errno.EADDRINUSE:
        return CarelineError(f"{host}:{port} is in use (another Careline, or another program): stop it, or set "
                             "service.port (demo: --port)")
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        return CarelineError(f"cannot listen on {host}:{port}: {host} is not an address of this machine "
                             "(set service.host)")
    if exc.errno == errno.EACCES:
        return CarelineError(f"cannot listen on {host}:{port}: permission denied (ports below 1024 need "
                             "privileges; set service.port)")
    return CarelineError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def check_listen(host: str, port: int) -> None:
    """Refuse an address the web app cannot listen on before the model loads (ten seconds) and the pollers
    start: a port in use was a fifty-line traceback after that wait. Port 0 (any free one) always works."""
    if port == 0:
        return
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp's own listener does
            probe.bind(address)
    except OSError as exc:
        raise listen_problem(host, port, exc) from None


@contextlib.asynccontextmanager
async def running(settings: Settings, *, classifier: Classifier | None = None) -> AsyncIterator[Service]:
    """Start the whole service; leaving the block stops it cleanly (pollers first, store last)."""
    from careline.app.web.app import MAX_LINE, create_app
    from careline.app.web.keys import DESK, SENDERS
    from careline.app.web.migrations import WEB

    check_listen(settings.service.host, settings.service.port)
    store = await Store(settings.service.database, extra=[WEB]).open()
    live = LiveSettings(settings, store)
    await live.refresh()  # the browser's overlay applies from the start
    loop = asyncio.get_running_loop()
    clf = classifier if classifier is not None else await loop.run_in_executor(None, load_classifier, settings)
    pipeline = Pipeline(store, clf, live.current)
    svc = Service(settings, store, clf, pipeline, live=live)
    senders = build_senders(live.current)
    listening = Listening(store, svc.pollers, senders, on_stored=pipeline.wake)
    session = webhook_session(lambda: live.current.responder.webhook_allow)
    try:
        await listening.start(live.current)
        pipeline.start()
        app = create_app(settings, store, classifier=clf, senders=senders, live=live)
        listening.senders = app[SENDERS]  # the app's own dict, which the Desk sends through
        svc.runner = web.AppRunner(app, access_log=None, max_line_size=MAX_LINE)
        await svc.runner.setup()  # starts the reply senders
        site = web.TCPSite(svc.runner, settings.service.host, settings.service.port)
        try:
            await site.start()
        except OSError as exc:  # taken since check_listen looked
            raise listen_problem(settings.service.host, settings.service.port, exc) from None
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        svc.url = f"http://{settings.service.host}:{port}/"
        svc.scheduler = AsyncIOScheduler(timezone=UTC)
        listening.schedule(svc.scheduler, live.current)
        add_responder_jobs(svc.scheduler, app[DESK], session=session)
        add_retention_job(svc.scheduler, store, settings)
        add_settings_job(svc.scheduler, live)
        live.subscribe(pipeline.reconfigure)
        live.subscribe(listening.follow)
        add_trend_jobs(svc.scheduler, store, settings, base_url=svc.url, current=lambda: live.current)
        svc.scheduler.start()
        yield svc
    finally:
        if svc.scheduler is not None:
            await stop_scheduler(svc.scheduler)
        await pipeline.stop()
        await listening.close()
        if svc.runner is not None:
            await svc.runner.cleanup()
        await session.close()
        await store.close()


async def wait_for_stop() -> None:
    """Until SIGINT or SIGTERM; says which, so an admin reading the log (or journalctl) sees why it stopped
    and that the stop is under way (the jobs and the open pages are closed next, then "stopped")."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info("stopping (%s): finishing the work in hand", sig.name)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping, sig)
    await stop.wait()


async def run_service(settings: Settings) -> None:
    if settings.simulator.enabled:
        await _with_simulator(settings, banner="Careline (simulated platforms)")
        return
    async with running(settings) as svc:
        log.info("Careline is up: %s", svc.url)
        await wait_for_stop()
    log.info("stopped")


def demo_settings(*, port: int, database: str | None, classifier: str | None) -> Settings:
    base = load_settings(DEMO_CONFIG)
    db = database or str(Path(tempfile.mkdtemp(prefix="careline-demo-")) / "careline.db")
    service = dataclasses.replace(base.service, port=port, database=db)
    clf = dataclasses.replace(base.classifier, kind=classifier) if classifier else base.classifier
    sim = dataclasses.replace(base.simulator, enabled=True)
    responder = base.responder  # the survey links the simulated customers get lead to this demo's own port
    if responder.public_url.startswith("http://127.0.0.1:") and port:
        responder = dataclasses.replace(responder, public_url=f"http://127.0.0.1:{port}")
    return dataclasses.replace(base, service=service, classifier=clf, simulator=sim, responder=responder)


async def run_demo(*, port: int, database: str | None, speed: float, classifier: str | None) -> None:
    settings = demo_settings(port=port, database=database, classifier=classifier)
    await _with_simulator(settings, banner="Careline demo", speed=speed, demo_users=True, config=DEMO_CONFIG)
    if database is None:
        log.info(demo_left_behind(Path(settings.service.database)))


def demo_left_behind(db: Path) -> str:
    """The last line of a demo on a temp file: the folder stays (to start from again), and a newcomer who ran the
    demo a dozen times found a dozen ``careline-demo-*`` folders nobody had named."""
    command = _command_name()
    return (f"the demo's data stays in {db.parent}: {command} demo --database {shlex.quote(str(db))} starts from it "
            f"again; rm -r {shlex.quote(str(db.parent))} deletes it")


#: Demo-only accounts (password "demo"); never created by ``careline run``.
DEMO_USERS = ("agent", "lead", "marketing", "admin")


def refuse_foreign_database(path: Path) -> None:
    """Stop ``careline demo --database`` on a file with accounts of its own: the demo would add its four with the
    password "demo" (an admin among them) and its simulated posts to what may be a real service's data. A file an
    earlier demo made (its accounts only) is reused; so is one that does not exist yet."""
    from careline.store.backup import read_only

    if not path.exists():
        return
    try:
        with closing(read_only(path)) as conn:
            names = [r[0] for r in conn.execute("SELECT username FROM users")]
    except sqlite3.DatabaseError as exc:
        if "no such table" in str(exc):
            return
        raise CarelineError(f"the demo cannot read {path} as a Careline database ({exc}); give it a new file") from exc
    own = sorted(set(names) - set(DEMO_USERS))
    if own:
        shown = ", ".join(own[:5]) + (" ..." if len(own) > 5 else "")
        raise CarelineError(f"{path} has accounts of its own ({shown}): the demo would add four more with the "
                            "password 'demo', an admin among them, and its simulated posts. Give it a new file, or a "
                            "copy you can throw away.")


async def _seed_demo_users(store: Store) -> str:
    from careline.app.web.auth import ensure_users
    from careline.domain import Role

    await store.write(lambda db: ensure_users(db, {name: (Role(name), "demo") for name in DEMO_USERS}))
    return f"log in as {' / '.join(DEMO_USERS)} with password 'demo'"


async def _with_simulator(settings: Settings, *, banner: str, speed: float = 20.0, demo_users: bool = False,
                          config: Path | None = None) -> None:
    """The service with the platform simulator; ``config``: the settings file it runs on, which the command line
    needs too (the demo's brands: without it, every command warned that the browser's settings name a brand
    the defaults lack)."""
    from platforms.simulator.server import Simulator
    from platforms.simulator.world import World, load_scenario

    check_listen(settings.service.host, settings.service.port)  # before the simulator and the model start
    sim_cfg: SimulatorSettings = settings.simulator
    scenario = Path(sim_cfg.scenario)
    scenario = scenario if scenario.is_absolute() else REPO / scenario
    world = load_scenario(scenario, World(speed=speed, start_offset=300.0))
    sim = Simulator(world)
    base_url = await sim.start(sim_cfg.port)
    settings = point_sources_at(settings, base_url)
    try:
        async with running(settings) as svc:
            users = await _seed_demo_users(svc.store) if demo_users else ""
            log.info("%s is up. Open %s  %s (database: %s; Ctrl-C stops)", banner, svc.url, users,
                     settings.service.database)
            config_var = f"CARELINE_CONFIG={shlex.quote(str(config))} " if config else ""
            command = _command_name()
            log.info("Point the command line at this service: %sCARELINE_SERVICE__DATABASE=%s "
                     "CARELINE_SERVICE__PORT=%s %s queue (or %s status, %s user list ...)",
                     config_var, shlex.quote(settings.service.database), settings.service.port, command, command,
                     command)
            await wait_for_stop()
    finally:
        await sim.stop()
    log.info("stopped")


def _command_name() -> str:
    """The command as this process was started, for a tip to copy: ``.venv/bin/careline`` after ``make demo``, whose
    virtual environment is not on PATH (a bare ``careline`` answered "command not found")."""
    import sys

    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started is None or started.name != "careline" or not started.is_file():
        return "careline"
    try:
        shown = started.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = started.resolve()
    return shlex.quote(str(shown))


def point_sources_at(settings: Settings, base_url: str) -> Settings:
    """Every source talks to the simulator, with throwaway credentials the simulator accepts."""
    src = settings.sources
    x = dataclasses.replace(src.x, api_base_url=base_url, bearer_token=src.x.bearer_token or "simulator")
    reddit = dataclasses.replace(src.reddit, oauth_url=base_url, reddit_url=base_url,
                                 client_id=src.reddit.client_id or "simulator",
                                 client_secret=src.reddit.client_secret or "simulator",
                                 username=src.reddit.username or "simulator",
                                 password=src.reddit.password or "simulator")
    bluesky = dataclasses.replace(src.bluesky, service_url=base_url,
                                  app_password=src.bluesky.app_password or SIMULATOR_APP_PASSWORD)
    mastodon = src.mastodon  # the token is the account's name on the simulator (set per brand below)
    brands = [dataclasses.replace(b, mastodon_instance=base_url) if b.mastodon_account else b for b in settings.brands]
    sources = dataclasses.replace(src, x=x, reddit=reddit, bluesky=bluesky, mastodon=mastodon)
    return dataclasses.replace(settings, sources=sources, brands=brands)


#: The simulator accepts only app-password-shaped passwords, as Bluesky asks integrations to use.
SIMULATOR_APP_PASSWORD = "simu-lato-rapp-pass"
