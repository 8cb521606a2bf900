"""Typed settings: the one answer to "which value is in effect?".

Values come from the environment (prefix ``QLVB_``), except the two production switches that
operators know by their conventional names: ``DATABASE_URL`` and ``TEMPORAL_ADDRESS``.
Nothing under ``workflows/`` reads settings; values reach workflows as inputs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All runtime configuration of QLVB."""

    model_config = SettingsConfigDict(env_prefix="QLVB_", extra="ignore")

    # --- storage -------------------------------------------------------------------------
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "QLVB_DATABASE_URL")
    )
    # PostgreSQL connection pool of each web or worker process (README «Production»). Unset, each is
    # sized from the process's threads so that no thread waits for a connection: web 10 kept open and
    # up to 80 (40 threads × 2), worker 8 and up to 16 (8 activity threads × 2). A thread waits
    # db_pool_timeout seconds for a connection before its request or activity attempt fails.
    db_pool_size: int | None = Field(default=None, ge=1)
    db_max_overflow: int | None = Field(default=None, ge=0)
    db_pool_timeout: float = Field(default=30, gt=0)
    upload_max_bytes: int = 50 * 1024 * 1024
    # Digitising paper (QĐ44 Điều 10.2): scan limits and OCR parallelism (-j; jobs × workers ≤ cores).
    ocr_max_pages: int = 200
    ocr_max_pixels_per_page: int = 50_000_000
    ocr_min_dpi: int = 200
    ocr_jobs: int = 1
    ocr_rotate_deskew: bool = False  # --rotate-pages --deskew: about 3.2 s/page instead of 1.2

    # --- temporal ------------------------------------------------------------------------
    temporal_address: str = Field(
        default="127.0.0.1:7233",
        validation_alias=AliasChoices("TEMPORAL_ADDRESS", "QLVB_TEMPORAL_ADDRESS"),
    )
    temporal_namespace: str = "default"
    temporal_task_queue: str = "qlvb"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    temporal_retention_hours: int = 24 * 365 * 2
    # On SIGTERM the worker stops taking work and lets running activities finish for this long;
    # then they are cancelled and Temporal retries them on another worker (a signature check
    # takes well under a second, issuing a few seconds, OCR of a long scan minutes).
    worker_graceful_shutdown_seconds: int = 30

    # --- web -----------------------------------------------------------------------------
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # uvicorn worker processes of one «qlvb web» (each with its own pool and Temporal client); 1 for the
    # embedded installation, about one per core in production (README «Production»).
    web_workers: int = Field(default=1, ge=1)
    cookie_secure: bool = False  # set true behind HTTPS in production
    session_idle_minutes: int = 8 * 60
    # The page /public/statistics shows the figures the Văn phòng UBND tỉnh published (QĐ44 Điều
    # 16.2) to anyone, without login; off, it answers 404.
    public_statistics: bool = False

    # --- operations: the Prometheus endpoint /metrics (README «Giám sát vận hành») -----------
    # When set, /metrics answers only requests carrying "Authorization: Bearer <token>" (403
    # otherwise); when unset, only direct loopback requests (404 to anyone else, and to requests a
    # proxy forwarded).
    metrics_token: SecretStr | None = None
    # One read of the database totals serves the scrapes of this many seconds (per web process).
    metrics_cache_seconds: float = Field(default=30, ge=0)
    # The worker's Temporal SDK metrics (its runtime's Prometheus exporter); empty: not exported.
    worker_metrics_address: str = "127.0.0.1:9464"

    # --- accounts (QĐ44 Điều 21.2) -------------------------------------------------------
    password_max_age_days: int = 90
    # Login throttling (models/org/throttle.py): free failures per account name (and per client
    # with that name), then delays from login_delay_seconds doubling up to lockout_minutes.
    login_max_failures: int = 5
    login_max_failures_per_client: int = 20
    login_delay_seconds: int = 30
    login_failure_window_minutes: int = 60
    lockout_minutes: int = 15
    # Signs the known-device cookies; when unset a key is generated once into var/secret_key
    # (set it, or share var/, when several web servers run on different machines).
    secret_key: SecretStr | None = None
    demo_password: SecretStr | None = None

    # --- pki: signature checks before acceptance (QĐ44 Điều 10.1) -------------------------
    # Trust anchors are every PEM certificate in this directory (default var/pki/trust).
    pki_trust_dir: Path | None = None
    # Generate the demo CA and demo certificates under var/pki on first run (development only).
    pki_demo_enabled: bool = True
    # Password of the demo PKCS#12 files; when unset one is generated into var/pki (0600).
    pki_demo_password: SecretStr | None = None
    # Signing on an HSM or a token attached to the server (PKCS#11): the module, the token, and a
    # PEM file of the CAs between the signers' certificates and the trust anchors. Each signer's
    # key and certificate carry their username as label; the signer types the PIN at each signing.
    pki_pkcs11_module: Path | None = None
    pki_pkcs11_token_label: str = ""
    pki_pkcs11_chain: Path | None = None

    # --- outgoing documents (issue 4) --------------------------------------------------------
    # A recipient that has not received an issued document after this many hours is reported
    # to the drafter and the văn thư, who can phone or e-mail it (QĐ44 Điều 6.6).
    recipient_alert_hours: int = 24

    # --- backup (qlvb backup; README «Sao lưu và phục hồi») ---------------------------------
    # When set, the DailyBackup schedule backs the installation up every day at backup_hour
    # (Vietnam time) into backup_dir/qlvb-YYYY-MM-DD and keeps the newest backup_keep copies.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1)
    backup_hour: int = Field(default=1, ge=0, le=23)

    # --- records: export and preservation (issue 12) -----------------------------------------
    # Ghostscript conversions to PDF/A-2b one export runs at once (each takes a core while it runs).
    preservation_jobs: int = Field(default=1, ge=1)
    # A finished export (var/exports/<id>) can be downloaded for this long, then it is removed.
    export_keep_hours: int = Field(default=24, ge=1)
    # Fixity: every stored file's SHA-256 is recomputed at least once per period, in rounds every
    # fixity_round_minutes of at most fixity_batch_files files per activity (0 days: no schedule).
    fixity_period_days: int = Field(default=30, ge=0)
    fixity_round_minutes: int = Field(default=60, ge=1)
    fixity_batch_files: int = Field(default=200, ge=1)

    # --- mail: e-mail copies of notifications ----------------------------------------------
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "QLVB <qlvb@localhost>"
    smtp_starttls: bool = False
    # Write mail as .eml files under var/mail (readable at /dev/mailbox) instead of sending it;
    # on by default while no SMTP host is configured.
    mail_dev_mailbox: bool | None = None
    # The address people open links in e-mails with; default http://web_host:web_port.
    mail_base_url: str = ""

    # --- push: browser notifications of urgent documents (Web Push, VAPID; README «Thông báo đẩy») ---
    # Off: the opt-in is hidden, nothing is subscribed and nothing is sent. The VAPID key pair is
    # generated once into var/push/vapid-private.pem (share var/, as for secret_key).
    push_enabled: bool = True
    # Who the push services may contact about our pushes (VAPID "sub"); default mailto: smtp_from's address.
    vapid_subject: str = ""
    # The push services a browser subscription may point at (host names and their subdomains): the
    # server posts to that address, so only the browsers' own services are accepted.
    push_services: tuple[str, ...] = ("fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com",
                                      "notify.windows.com")

    # --- hub: the national document exchange hub (EDXML.md §9) ----------------------------
    # Endpoint, system id and secret are issued by the hub operator (§9.1). Unset, they point at
    # the development simulator (`qlvb hub`), whose secrets are generated into var/hub/systems.json.
    hub_url: str = ""  # default http://127.0.0.1:hub_simulator_port
    hub_system_id: str = "qlvb-dev"
    hub_secret: SecretStr | None = None
    hub_poll_seconds: int = 60
    # How often the Reconcile schedule restarts lost starts, puts back lost decisions, reports
    # recipients not reached and sends the e-mail outbox.
    maintenance_seconds: int = 60
    hub_hash_file_padded: bool = False  # §9.2: the reference library drops hex zero-padding
    hub_max_skew_seconds: int = 300  # request timestamp tolerance; §9.3 names none
    # The simulator keeps its own SQLite file (default var/hub/hub.db), never the QLVB database.
    hub_simulator_db: Path | None = None
    hub_simulator_port: int = 8090

    @property
    def hub_dir(self) -> Path:
        """The simulator's data: its database and the demo systems' secrets."""
        return self.var_dir / "hub"

    @property
    def effective_hub_url(self) -> str:
        """The configured hub endpoint, or the local simulator."""
        return self.hub_url or f"http://127.0.0.1:{self.hub_simulator_port}"

    @model_validator(mode="after")
    def _mail_defaults(self) -> Settings:
        if self.mail_dev_mailbox is None:
            self.mail_dev_mailbox = not self.smtp_host
        if not self.mail_base_url:
            self.mail_base_url = f"http://{self.web_host}:{self.web_port}"
        return self

    @property
    def effective_vapid_subject(self) -> str:
        """The VAPID contact: the configured one, or the sender address of the e-mails."""
        if self.vapid_subject:
            return self.vapid_subject
        address = self.smtp_from.rpartition("<")[2].rstrip(">").strip()
        return f"mailto:{address or 'qlvb@localhost'}"

    @property
    def mail_dir(self) -> Path:
        """The dev mailbox: one .eml file per message."""
        return self.var_dir / "mail"

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str) -> str:
        """Point every PostgreSQL DSN at psycopg 3, whatever spelling the operator used."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def effective_database_url(self) -> str:
        """The configured DSN, or the embedded SQLite file under ``var/``."""
        return self.database_url or f"sqlite:///{self.var_dir / 'qlvb.db'}"

    @property
    def files_dir(self) -> Path:
        """Content-addressed store for document files."""
        return self.var_dir / "files"

    @property
    def exports_dir(self) -> Path:
        """Packages of exported hồ sơ, kept ``export_keep_hours`` for download (shared by web and worker)."""
        return self.var_dir / "exports"

    @property
    def temporal_dev_db(self) -> Path:
        """The embedded Temporal dev server's SQLite file (``qlvb run``); ``qlvb backup`` copies it too."""
        return self.var_dir / "temporal.db"


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
