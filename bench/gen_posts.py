#!/usr/bin/env python3
"""Generate a synthetic herald site (and the same posts as a Hugo site).

Usage: gen_posts.py N DIR

Writes into DIR:
  config.toml                 herald site config (paths relative to it)
  posts/NNNNNN-<slug>.md      N posts: TOML front matter + CommonMark body
  hugo/                       a minimal Hugo site over the same posts
    config.toml
    layouts/index.html, layouts/_default/{single,list}.html
    content/posts/NNNNNN-<slug>.md

Output is fully deterministic: the same N gives byte-identical files.
Each post's text is seeded by its age rank k (0 = newest), so the newest
posts are the same whatever N is (only dates and file numbers shift once
N is large enough for dates to be compressed, see below).

Dates: one post per week going back from 2029-12-27 (before herald's
benchmark clock, --now 2030-01-01T00:00:00Z). Dates never go before
1901-01-01 (Stockholm used local mean time before 1900, which gives odd
UTC offsets); if N weeks do not fit, posts are spread evenly over that
range instead, several per week and, for very large N, several per day.

Standard library only.
"""

import datetime as dt
import os
import random
import re
import sys

NEWEST = dt.date(2029, 12, 27)
OLDEST = dt.date(1901, 1, 1)

SITE_CONFIG = """\
[site]
title = "Benchmark"
description = "Synthetic posts"
base_url = "https://bench.example.se/"
language = "sv"
timezone = "Europe/Stockholm"

[site.author]
name = "Bench"
email = "bench@example.se"

[paths]
posts = "posts"
output = "public"
"""

HUGO_CONFIG = """\
baseURL = "https://bench.example.se/"
title = "Benchmark"
languageCode = "sv"
defaultContentLanguage = "sv"
timeZone = "Europe/Stockholm"
# Post dates run up to 2029-12-27; without this Hugo skips future posts.
buildFuture = true
# Same pagination as herald's default ([pages] per_page = 10).
paginate = 10
# Only the home page (HTML + RSS) and one page per post.
disableKinds = ["taxonomy", "term", "section", "sitemap", "robotsTXT", "404"]

# Same URL layout as herald: one page per post at /<slug>/.
[permalinks]
posts = "/:slug/"

[outputs]
home = ["HTML", "RSS"]
page = ["HTML"]

[services]
[services.rss]
limit = 20
"""

HUGO_SINGLE = """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ .Title }} – {{ .Site.Title }}</title>
</head>
<body>
<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time>
{{ .Content }}
</article>
</body>
</html>
"""

HUGO_LIST = """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head>
<body>
<h1>{{ .Site.Title }}</h1>
{{ range (.Paginate .Site.RegularPages).Pages }}
<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time>
<p>{{ .Summary }}</p>
</article>
{{ end }}
{{ template "_internal/pagination.html" . }}
</body>
</html>
"""

TAGS = [
    "ledarskap", "förskola", "skola", "budget", "miljö", "kultur",
    "trafik", "vård", "bostäder", "idrott", "demokrati", "näringsliv",
]

NOUNS = [
    "kommun", "förskola", "skolgård", "budget", "nämnd", "möte", "plan",
    "beslut", "förslag", "utredning", "invånare", "föräldrar", "lag",
    "barn", "elever", "lärare", "rektor", "personal", "ekonomi", "kostnad",
    "fastighet", "bostad", "hyra", "gata", "cykelväg", "buss", "tåg",
    "trafik", "miljö", "klimat", "skog", "sjö", "strand", "hus", "bro",
    "bibliotek", "kulturhus", "hall", "simhall", "förening", "företag",
    "jobb", "äldreomsorg", "vård", "hemtjänst", "lön", "tid", "pengar",
    "ungdomar", "fritidsgård", "demokrati", "dialog", "idé", "ord",
    "samråd", "detaljplan", "bygglov", "område", "stadsdel", "by",
    "landsbygd", "tätort", "centrum", "torg", "park", "lekplats", "väg",
    "återvinning", "avfall", "vatten", "avlopp", "energi", "sol",
    "värme", "ansvar", "förtroende", "kvalitet", "mål", "krav",
    "verksamhet", "förvaltning", "samarbete", "region", "del", "grupp",
    "höst", "vår", "sommar", "vinter", "vecka", "månad", "år", "framtid",
    "möjlighet", "fråga", "svar", "åtgärd", "skola", "stöd", "val", "rum",
    "investering", "översiktsplan", "arbetsmarknad", "socialtjänst",
    "vårdcentral", "medborgare", "kommunfullmäktige", "prioritering",
    "uppföljning", "länsstyrelse", "idrottsförening", "förskoleklass",
    "skolskjuts", "hyresgäst", "näringsliv", "utbildning", "kollektivtrafik",
    "busslinje", "idrottshall", "barnomsorg", "folkhälsa", "bostadsområde",
    "mötesplats", "arbetsmiljö", "handlingsplan", "förändring", "styrelse",
]

ADJECTIVES = [
    "ny", "gammal", "stor", "liten", "viktig", "tydlig", "öppen", "god",
    "hållbar", "trygg", "säker", "grön", "hel", "nästa", "egen",
    "bästa", "gemensam", "lokal", "sämre", "bra", "lång", "kort",
    "social", "rimlig", "svår", "enkel", "bättre", "fri", "hög", "låg",
    "större", "mindre", "möjlig", "första", "sista", "fler", "rätt",
    "långsiktig", "förebyggande", "tillgänglig", "ekonomisk", "kulturell",
    "nödvändig", "ansvarsfull", "demokratisk", "kommunal", "regional",
]

DETERMINERS = ["en", "ett", "den", "det", "vår", "min", "er", "all", "mer", "ny"]

PREPOSITIONS = [
    "i", "på", "för", "med", "om", "från", "till", "efter", "inför",
    "under", "över", "kring", "utan", "mellan", "av", "vid", "hos",
]

# Word classes used by the sentence templates below.
WORDS = {
    "S": ["vi", "jag", "de", "man", "hon", "han", "nämnden", "styrelsen",
          "ledningen", "personalen", "regionen", "föräldrarna", "barnen",
          "alla", "många", "fler", "kommunen", "rektorn"],
    "V": ["tog upp", "såg över", "tog fram", "gick igenom", "ändrade",
          "beslutade om", "föreslog", "granskade", "följde upp", "byggde",
          "gav", "fick", "lade fram", "vill ha", "har sett", "har fått",
          "talade om", "lyfte", "mötte", "behöver", "satsar på", "jobbar med",
          "diskuterade", "prioriterade", "återremitterade", "presenterade",
          "förbättrade", "utvecklade", "renoverade", "planerade"],
    "INF": ["se över", "ta fram", "bygga", "ändra", "göra", "titta på",
            "lösa", "följa upp", "stärka", "ge", "få", "hitta", "öka",
            "minska", "prata om", "höra av", "ta hand om", "spara på",
            "utveckla", "förbättra", "prioritera", "genomföra", "utreda"],
    "ADV": ["också", "nu", "ju", "då", "redan", "snart", "ofta", "dessutom",
            "alltid", "ändå", "gärna", "än", "nog", "bara", "även", "här",
            "tyvärr", "äntligen", "faktiskt", "så klart"],
    "ADJ": ["bra", "viktigt", "klokt", "svårt", "lätt", "dyrt", "rätt",
            "fel", "nytt", "tydligt", "rimligt", "möjligt", "nödvändigt",
            "självklart", "bättre", "värt det"],
    "TIME": ["i år", "i höst", "i vår", "i dag", "i går", "nästa år",
             "förra veckan", "i veckan", "på måndag", "efter sommaren",
             "före jul", "i maj", "under året"],
    "CL": ["och det är bra", "men det tar tid", "som vi har sagt",
           "och så vidare", "men inte nu", "som ni vet", "så långt det går",
           "om det går", "och det är värt det", "men det räcker inte",
           "som jag ser det", "när vi kan", "för det är viktigt"],
}

SENTENCES = [
    "{S} {V} {NP} {PP} {TIME}.",
    "{S} {V} {NP} {PP}, {CL}.",
    "Det är {ADJ} att {S} {ADV} {V} {NP}.",
    "{S} ska {INF} {NP} {PP} {TIME}.",
    "{S} kan {ADV} {INF} {NP}, {CL}.",
    "Jag tror att {S} måste {INF} {NP} {PP}.",
    "{TIME} {V} {S} {NP} {PP} och {NP} {PP}.",
    "Men {S} har {ADV} inte {INF} {NP} än.",
    "Det var {ADJ}, {CL}.",
    "Vi vill {INF} {NP} så att {S} kan {INF} {NP} {PP}.",
    "När {S} {V} {NP} blev det {ADJ} för {NP}.",
    "Hur ska {S} {INF} {NP} {PP}?",
    "{S} {V} {ADV} {NP} {PP} {PP}.",
    "Det finns {NP} {PP} som {S} {ADV} vill {INF}.",
    "Om {S} {V} {NP} {TIME} är det {ADJ}.",
]

LINK_HOSTS = [
    "https://www.example.se", "https://kommun.example.se",
    "https://example.org/nyheter", "https://data.example.com/sv",
]

HEADINGS = [
    "Bakgrund", "Vad händer nu?", "Ekonomin", "Förskolorna", "Skolgårdarna",
    "Trafiken i centrum", "Miljö och klimat", "Kultur för alla",
    "Frågor från invånare", "Nästa steg", "Sammanfattning", "Mina reflektioner",
    "Beslut i nämnden", "Öppet möte", "Äldreomsorgen", "Bostäder åt fler",
    "Idrott och fritid", "Demokrati och dialog", "Näringslivets röst",
    "Veckans höjdpunkter", "Det här oroar mig", "Glädjande besked",
]

TITLE_NOUNS = [
    "Budget och förskolor", "Skolgårdar i förändring", "Ny cykelväg",
    "Trygghet i centrum", "Äldreomsorgens framtid", "Bostäder åt unga",
    "Öppet möte om detaljplanen", "Klimatet och kommunen", "Kultur på torget",
    "Simhallen renoveras", "Föreningslivet växer", "Näringslivsdag",
    "Läsårets första vecka", "Beslut om översiktsplanen", "Sommarlovsaktiviteter",
    "Höstens prioriteringar", "Vinterväghållning", "Vårens budgetarbete",
    "Dialog med föräldrar", "Ledarskap i förvaltningen", "Demokratidagen",
    "Återvinning och avfall", "Vatten och avlopp", "Solceller på skolan",
]


def slugify(text):
    """ASCII slug: å/ä -> a, ö -> o, other non-alphanumerics -> '-'."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u",
                           "Å": "a", "Ä": "a", "Ö": "o", "É": "e", "–": "-"})
    s = text.translate(table).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


def post_dates(n):
    """Date for each age rank k (0 = newest), weekly if it fits."""
    span = (NEWEST - OLDEST).days
    if n <= 1 or (n - 1) * 7 <= span:
        return [NEWEST - dt.timedelta(days=7 * k) for k in range(n)]
    return [NEWEST - dt.timedelta(days=(k * span) // (n - 1)) for k in range(n)]


def _last_sunday(year, month):
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


try:
    from zoneinfo import ZoneInfo
    _STOCKHOLM = ZoneInfo("Europe/Stockholm")
except Exception:  # no tz database on this machine
    _STOCKHOLM = None


def stockholm_0800(day):
    """'YYYY-MM-DDT08:00:00+HH:MM' for 08:00 local time in Stockholm."""
    if _STOCKHOLM is not None:
        off = dt.datetime(day.year, day.month, day.day, 8, tzinfo=_STOCKHOLM).utcoffset()
        minutes = int(off.total_seconds()) // 60
    else:
        # Fallback: EU summer time rules from 1980 on, CET before.
        summer = day.year >= 1980 and _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
        minutes = 120 if summer else 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return "%sT08:00:00%s%02d:%02d" % (day.isoformat(), sign, minutes // 60, minutes % 60)


class Writer:
    """Builds one post body, counting words (whitespace-separated tokens
    of the text without markup)."""

    def __init__(self, rng, others):
        self.rng = rng
        self.others = others  # slugs of nearby posts, for relative links
        self.words = 0

    def pick(self, key):
        r = self.rng
        if key == "NP":
            w = [r.choice(DETERMINERS)]
            if r.random() < 0.6:
                w.append(r.choice(ADJECTIVES))
            w.append(r.choice(NOUNS))
            return w
        if key == "PP":
            return [r.choice(PREPOSITIONS)] + self.pick("NP")
        return r.choice(WORDS[key]).split()

    def inline(self, words):
        """Maybe decorate a run of words with bold, italic or a link."""
        r = self.rng
        x = r.random()
        text = " ".join(words)
        tail = ""
        if text[-1] in ",.?!":
            text, tail = text[:-1], text[-1]
        if x < 0.035:
            return "**%s**%s" % (text, tail)
        if x < 0.07:
            return "*%s*%s" % (text, tail)
        if x < 0.10:
            host = r.choice(LINK_HOSTS)
            return "[%s](%s/%s)%s" % (text, host, slugify(text) or "sida", tail)
        if x < 0.108 and self.others:
            slug = r.choice(self.others)
            fmt = "[%s](/%s/)%s" if r.random() < 0.5 else "[%s](../%s/)%s"
            return fmt % (text, slug, tail)
        return text + tail

    def sentence(self):
        r = self.rng
        template = r.choice(SENTENCES)
        chunks = []
        for tok in template.split():
            if tok[0] == "{":
                key = tok[1:tok.index("}")]
                rest = tok[tok.index("}") + 1:]
                ws = self.pick(key)
                if rest:
                    ws[-1] += rest
                chunks.append(ws)
            else:
                chunks.append([tok])
        # Merge single plain words into their neighbours so that
        # decorations cover phrases, not lone function words.
        words = [w for c in chunks for w in c]
        words[0] = words[0][0].upper() + words[0][1:]
        self.words += len(words)
        groups = []
        i = 0
        while i < len(words):
            n = r.randrange(1, 5)
            groups.append(words[i:i + n])
            i += n
        out = [" ".join(groups[0])] + [self.inline(g) for g in groups[1:]]
        return " ".join(out)

    def paragraph(self, budget):
        r = self.rng
        sents = []
        start = self.words
        target = r.randrange(40, 120)
        while self.words - start < target and self.words < budget:
            sents.append(self.sentence())
        return " ".join(sents)

    def bullet_list(self, budget):
        r = self.rng
        items = []
        for i in range(r.randrange(3, 7)):
            if i >= 2 and self.words >= budget:
                break
            words = self.pick("NP")[1:] + self.pick("PP")
            if r.random() < 0.4:
                words += ["och"] + self.pick("NP")
            self.words += len(words)
            words[0] = words[0][0].upper() + words[0][1:]
            items.append("- " + self.inline(words))
        return "\n".join(items)

    def body(self, budget):
        r = self.rng
        blocks = [self.paragraph(budget)]
        since_heading = 1
        last_list = False
        while self.words < budget:
            x = r.random()
            if since_heading >= 2 and x < 0.3:
                blocks.append("## " + r.choice(HEADINGS))
                since_heading = 0
                last_list = False
                continue
            if x < 0.42 and not last_list:
                blocks.append(self.bullet_list(budget))
                last_list = True
            else:
                blocks.append(self.paragraph(budget))
                last_list = False
            since_heading += 1
        return "\n\n".join(blocks) + "\n"


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen_posts.py N DIR\n")
        return 2
    try:
        n = int(argv[1])
    except ValueError:
        n = -1
    if n < 1 or n > 999999:
        sys.stderr.write("gen_posts.py: N must be an integer in 1..999999\n")
        return 2
    root = argv[2]
    posts_dir = os.path.join(root, "posts")
    hugo_dir = os.path.join(root, "hugo")
    hugo_posts = os.path.join(hugo_dir, "content", "posts")
    for d in (posts_dir, hugo_posts, os.path.join(hugo_dir, "layouts", "_default")):
        os.makedirs(d, exist_ok=True)
    if os.listdir(posts_dir) or os.listdir(hugo_posts):
        sys.stderr.write("gen_posts.py: %s already has posts; use an empty or new DIR\n" % root)
        return 1

    def write(path, text):
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    write(os.path.join(root, "config.toml"), SITE_CONFIG)
    write(os.path.join(hugo_dir, "config.toml"), HUGO_CONFIG)
    write(os.path.join(hugo_dir, "layouts", "index.html"), HUGO_LIST)
    write(os.path.join(hugo_dir, "layouts", "_default", "list.html"), HUGO_LIST)
    write(os.path.join(hugo_dir, "layouts", "_default", "single.html"), HUGO_SINGLE)

    dates = post_dates(n)

    # Pass 1: titles, slugs and tags (so posts can link to each other).
    metas = []
    seen = set()
    for k in range(n):
        r = random.Random("herald-bench-meta-%d" % k)
        day = dates[k]
        year, week, _ = day.isocalendar()
        title = "Vecka %d, %d: %s" % (week, year, r.choice(TITLE_NOUNS))
        slug = slugify(title)
        if slug in seen:
            title += " (%d)" % (k + 1)
            slug = slugify(title)
        seen.add(slug)
        tags = r.sample(TAGS, r.randrange(1, 4))
        metas.append((title, slug, tags))

    # Pass 2: bodies. File numbers are chronological: 000001 is the oldest.
    for k in range(n):
        title, slug, tags = metas[k]
        r = random.Random("herald-bench-body-%d" % k)
        near = [metas[j][1] for j in range(max(0, k - 20), min(n, k + 21)) if j != k]
        budget = r.randrange(400, 1166)
        body = Writer(r, near).body(budget)
        day = dates[k]
        tag_list = "[" + ", ".join(toml_str(t) for t in tags) + "]"
        name = "%06d-%s.md" % (n - k, slug)
        write(os.path.join(posts_dir, name),
              "+++\ntitle = %s\ndate = \"%s\"\nslug = \"%s\"\ntags = %s\n+++\n\n%s"
              % (toml_str(title), day.isoformat(), slug, tag_list, body))
        write(os.path.join(hugo_posts, name),
              "+++\ntitle = %s\ndate = \"%s\"\nslug = \"%s\"\ntags = %s\n+++\n\n%s"
              % (toml_str(title), stockholm_0800(day), slug, tag_list, body))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
