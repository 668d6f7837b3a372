"""A real WordPress on loopback, from Debian's packages, for the live-source figures and tests.

Debian's `wordpress` (6.1), `mariadb-server` and `apache2` (with mod_deflate, which appends
"-gzip" to the ETags it compresses), started as root: `start()` creates the database, the
site (pretty links, so the REST API answers at /wp-json/) and POSTS posts with categories,
tags and an author; `edit`, `add` and `stop` change it. `reason_unavailable()` says why it
cannot run here (not root, packages absent); the tests skip with that reason.
Install: `apt-get install wordpress mariadb-server apache2 php-xml` (Debian's package registry;
php-xml for WordPress's sitemaps).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

PORT = 8089
BASE = f"http://127.0.0.1:{PORT}"
POSTS = 15
ROOT = Path("/usr/share/wordpress")
_CONFIG = Path("/etc/wordpress/config-127.0.0.1.php")
_VHOST = Path("/etc/apache2/sites-available/covpipe-wp.conf")
BODY = ("<p>Le salon a ouvert ses portes mardi à Paris. {speaker}, directrice de l'innovation chez Zorbalix, "
        "y présentait ses travaux. « Nous voulons rendre l'intelligence artificielle utile aux petites "
        "entreprises », explique {speaker}.</p><p>Les visiteurs se pressaient devant les stands, et plusieurs "
        "start-up ont annoncé des levées de fonds pendant les trois jours du salon ({n}).</p>")


def reason_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "a real WordPress needs root (Apache and MariaDB on loopback)"
    for tool in ("apache2ctl", "mariadbd", "php"):
        if not shutil.which(tool) and not Path("/usr/sbin", tool).exists():
            return f"{tool} is not installed (apt-get install wordpress mariadb-server apache2)"
    if not (ROOT / "wp-load.php").exists():
        return "Debian's wordpress package is not installed"
    if subprocess.run(["php", "-r", "exit(extension_loaded('simplexml') ? 0 : 1);"], capture_output=True).returncode:
        return "php-xml is not installed: WordPress writes no sitemap without SimpleXML"
    return None


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


def php(code: str, installing: bool = False) -> str:
    """Run PHP with WordPress loaded (as a request to 127.0.0.1 would); its output."""
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as script:
        script.write("<?php\n$_SERVER['HTTP_HOST'] = '127.0.0.1'; $_SERVER['SERVER_PORT'] = '%d';\n"
                     "%s require '%s/wp-load.php';\n%s\n"
                     % (PORT, "define('WP_INSTALLING', true);" if installing else "", ROOT, code))
    try:
        return _run("php", script.name)
    finally:
        os.unlink(script.name)


def start(posts: int = POSTS) -> str:
    """A fresh site of `posts` posts on BASE; returns BASE."""
    _run("service", "mariadb", "start")
    _run("mysql", "-e", "DROP DATABASE IF EXISTS covpipe_wp; CREATE DATABASE covpipe_wp; "
                        "CREATE USER IF NOT EXISTS 'covpipe'@'localhost' IDENTIFIED BY 'covpipe'; "
                        "GRANT ALL ON covpipe_wp.* TO 'covpipe'@'localhost'; FLUSH PRIVILEGES;")
    _CONFIG.write_text("<?php\ndefine('DB_NAME', 'covpipe_wp'); define('DB_USER', 'covpipe');\n"
                       "define('DB_PASSWORD', 'covpipe'); define('DB_HOST', 'localhost');\n"
                       "define('WP_HOME', '%s'); define('WP_SITEURL', '%s');\n"
                       "define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');\n" % (BASE, BASE))
    _VHOST.write_text(f"Listen {PORT}\n<VirtualHost 127.0.0.1:{PORT}>\n  DocumentRoot {ROOT}\n"
                      f"  <Directory {ROOT}>\n    Options FollowSymLinks\n    AllowOverride All\n"
                      "    Require all granted\n  </Directory>\n</VirtualHost>\n")
    (ROOT / ".htaccess").write_text("<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteBase /\n"
                                    "RewriteRule ^index\\.php$ - [L]\nRewriteCond %{REQUEST_FILENAME} !-f\n"
                                    "RewriteCond %{REQUEST_FILENAME} !-d\nRewriteRule . /index.php [L]\n"
                                    "</IfModule>\n")
    _run("a2enmod", "rewrite", "deflate")
    _run("a2ensite", "covpipe-wp")
    _run("service", "apache2", "restart")
    php("require_once ABSPATH . 'wp-admin/includes/upgrade.php';\n"
        "wp_install('Le Blog des salons', 'admin', 'admin@example.org', true, '', 'covpipe-admin');\n"
        "update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');\n"
        "update_option('posts_per_rss', 10); update_option('posts_per_page', 10);\n"
        "$u = wp_insert_user(['user_login' => 'marie', 'user_pass' => 'x-covpipe-x', "
        "'display_name' => 'Marie Dupont', 'role' => 'author']);\n"
        "wp_delete_post(1, true); wp_delete_post(2, true); wp_delete_post(3, true);\n"
        "flush_rewrite_rules(true);", installing=True)
    php("global $wp_rewrite; $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');"
        " flush_rewrite_rules(true);")
    for n in range(1, posts + 1):
        add(n)
    _wait()
    return BASE


def add(n: int) -> None:
    """Post number n: two categories, two tags, Marie Dupont, a date n days into 2026."""
    day = f"2026-01-{n:02d} 09:00:00" if n <= 28 else f"2026-02-{n - 28:02d} 09:00:00"
    php("require_once ABSPATH . 'wp-admin/includes/taxonomy.php';\n$id = wp_insert_post(['post_title' => 'Billet numéro %d du salon', 'post_name' => 'billet-%d', "
        "'post_content' => %s, 'post_status' => 'publish', 'post_date' => '%s', "
        "'post_author' => get_user_by('login', 'marie')->ID]);\n"
        "wp_set_post_categories($id, [wp_create_category('Salons'), wp_create_category('Conférences %d')]);\n"
        "wp_set_post_tags($id, ['IA', 'Startup %d']);" % (n, n, _php_string(BODY.format(speaker="Anne Roy", n=n)),
                                                          day, n % 3, n % 4))


def edit(n: int, text: str) -> None:
    """Change the body of post number n (its modified date moves)."""
    php("$p = get_page_by_path('billet-%d', OBJECT, 'post');\n"
        "wp_update_post(['ID' => $p->ID, 'post_content' => $p->post_content . %s]);" % (n, _php_string(text)))


def stop() -> None:
    for command in (("a2dissite", "covpipe-wp"), ("service", "apache2", "stop"), ("service", "mariadb", "stop")):
        subprocess.run(command, capture_output=True, timeout=120)


def _php_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("$", "\\$")


def _wait(seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(BASE + "/wp-json/wp/v2/posts?per_page=1", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"WordPress did not answer on {BASE}")


if __name__ == "__main__":
    print(reason_unavailable() or start())
