"""Build small but real Argos Translate packages (``.argosmodel``) without any download.

The tests, the benchmark and users who want to try the pipeline offline need a translation
package that argostranslate installs and CTranslate2 runs like a trained one. This module makes
one from scratch: a SentencePiece model trained on a few hundred bundled English sentences
(shared source/target vocabulary) and a CTranslate2 Transformer filled with seeded random
weights. The output text is meaningless but made of real vocabulary pieces, and the model stops
like a real one, after about ``1.3 * source_tokens + 5`` tokens (see "How the model stops").

Findings about argostranslate 1.11 (read from its sources; they decide what a package needs):

* Layout: a zip holding one top-level folder with ``metadata.json``, ``model/`` (a CTranslate2
  model directory), ``sentencepiece.model`` (or ``bpe.model``) and optionally ``README.md`` and
  one sentence-splitter folder: ``minisbd/``, ``stanza/`` or ``spacy/``.
  ``package.install_from_path`` only checks that the file is a zip and extracts it into
  ``settings.package_data_dir``; ``package.get_installed_packages`` reads ``metadata.json`` of
  every folder in ``settings.package_dirs``; ``type`` defaults to ``"translate"``.
* Settings are read once, when ``argostranslate.settings`` is first imported:
  ``ARGOS_PACKAGES_DIR`` (else ``$XDG_DATA_HOME/argos-translate/packages``, else
  ``$HOME/.local/share/...``), ``XDG_CONFIG_HOME`` (``settings.json``), ``XDG_CACHE_HOME``;
  the import also creates those folders. Changing the environment later has no effect: set it
  before the first import, or ``importlib.reload(argostranslate.settings)`` (the other modules
  keep a reference to the same module object, so they see the new values), or patch both
  ``settings.package_data_dir`` and ``settings.package_dirs``.
* Sentence splitting in ``argostranslate.translate`` (checked offline with a package from
  here): with ``ARGOS_CHUNK_TYPE`` unset (``ARGOSTRANSLATE``) a package with ``stanza/`` gets
  Stanza, every other package MiniSBD. MiniSBD uses ``<package>/minisbd/*.onnx`` when present
  (a MiniSBD ONNX model carrying its ``config``/``vocab``/``lexicon`` as metadata: offline).
  Without it the first ``translate()`` downloads ``<lang>.onnx`` from GitHub into
  ``$XDG_DATA_HOME/argos-translate/minisbd/`` and, offline, raises ``URLError`` unless that
  file is already there. A packaged ``stanza/`` folder does not help: argostranslate builds
  ``stanza.Pipeline`` with the default ``download_method``, which always fetches
  ``resources.json``. ``ARGOS_CHUNK_TYPE=NONE`` makes argostranslate skip every package.
  What works offline without an ONNX model: ``ARGOS_CHUNK_TYPE=SPACY`` (read at settings
  import) plus an empty ``$XDG_CACHE_HOME/argos-translate/spacy/senter/model/`` folder (else
  importing ``argostranslate.sbd`` tries to download ``xx_sent_ud_sm``) plus any saved spaCy
  pipeline, e.g. ``spacy.blank("xx").to_disk(...)``, as ``<package>/spacy/`` or as
  ``$XDG_CACHE_HOME/argos-translate/spacy`` itself (argostranslate adds a rule-based
  ``sentencizer``). The packages built here have no splitter folder.
* Importing ``argostranslate.translate`` (``install_from_path`` does) imports onnxruntime,
  which writes ``$HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/``: tests move ``HOME``.

How the model stops. Random weights never make ``</s>`` win, so a few weights are hard-wired.
The last ``n_c = d_model / 8`` residual dimensions are a control block that the random layers
never read (zero input columns) nor write (zero output rows); the random dimensions before it
carry the usual embeddings, sinusoidal positions and random layers.

* Encoder positions write, in the control block, ``+-K*u(p)`` with ``u(p) = log(1+p)/log(1+P)``,
  a compensating pair ``+-K*sqrt(1-u(p)^2)`` and ``+-K`` fillers: zero mean and constant norm,
  and ``K`` is large beside the random dimensions, so the final layer norm divides every
  position by the same known ``sigma`` and the memory carries ``u(p)`` exactly, scaled.
* In decoder layer 0, one cross-attention head has zero query/key weights, so it attends
  uniformly to the source and its value, read from the ``u`` pair, is the mean
  ``U(n) = mean(u(0..n-1))``, which grows with the source length ``n``. Its output projection
  writes ``+-K*U(n)`` into two control dimensions of the decoder residual.
* Decoder positions write ``+-K*v(t)`` with ``v(t) = U((t - 5) / 1.3)`` (``U`` interpolated),
  plus compensating and filler dimensions.
* The ``</s>`` row of the output projection is ``G * (T - M)`` over those dimensions: after
  the final layer norm its sign is exactly the sign of ``v(t) - U(n)`` (the norm divides both
  by the same ``sigma``), negative until step ``1.3 * n + 5`` and positive after, with a
  magnitude (``G``) that beats the random logits by far. ``<unk>`` and ``<s>`` get a -100 bias.

The log scale keeps the relative resolution under int8 (127 levels per vector). Measured with
beam 1 and 2, TINY and BASE, every quantization: the output has ``floor(1.3 * n + 5) + 1``
tokens give or take 1-3 (n = 1 to 150), until ``max_decoding_length`` (256 by default) caps it
for n above ~190.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float32]

__all__ = ["BASE", "TINY", "ModelSize", "build_argos_package"]


@dataclass(frozen=True)
class ModelSize:
    """Shape of a generated Transformer; ``vocab_size`` is the SentencePiece size requested."""

    layers: int
    d_model: int
    heads: int
    ffn: int
    vocab_size: int

    def __post_init__(self) -> None:
        if self.layers < 1 or self.heads < 1 or self.ffn < 1:
            raise ValueError(f"layers, heads and ffn must be positive: {self}")
        if self.d_model < 32 or self.d_model % self.heads:
            raise ValueError(f"d_model must be >= 32 and divisible by heads: {self}")


# SentencePiece (BPE) reaches exactly 600 pieces on the bundled sentences (4483 at most).
TINY = ModelSize(layers=2, d_model=64, heads=4, ffn=128, vocab_size=600)
# An Argos-sized stand-in; its 32,000 pieces need generated text (see _corpus_lines).
BASE = ModelSize(layers=6, d_model=512, heads=8, ffn=2048, vocab_size=32000)

# Bump when the generated bytes change on purpose: it is part of every cache key.
GENERATOR_VERSION = "1"

_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pb": "Portuguese (Brazil)",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
    "zt": "Chinese (traditional)",
}

# Rows of both position tables; translate_batch truncates sources at 1024 tokens by default.
_MAX_POSITIONS = 1024
_LENGTH_RATIO = 1.3
_LENGTH_OFFSET = 5.0
# Control values in the residual stream; ~60x the random dimensions, so layer norms are set
# by the control block alone (to ~0.1 %) and the stop signal survives them unchanged.
_CONTROL = 100.0
# Typical size of a random residual dimension, used to undo the layer norms' big divisor.
_RANDOM_SCALE = 1.5
# The uniform head's output: ~10x the random heads', so int8 keeps it precise.
_CONTEXT_GAIN = 10.0
# </s> logit per int8 step of (v(t) - U(n)) in the final layer's input: decisive at 1 step.
_EOS_LOGIT_PER_STEP = 30.0
_LOGIT_STD = 3.0
_BANNED_LOGIT = -100.0
# Vocabularies above this size need generated text on top of the given sentences.
_SMALL_VOCAB = 1000

_BUNDLED_TEXT = """\
The local charity opened a new food bank in the town centre on Monday morning.
Volunteers packed more than two thousand parcels for families in need this winter.
A regional charity said donations had risen by ten percent compared with last year.
The foundation will fund three new community gardens in the northern districts.
Organisers thanked residents for their generosity during the annual winter appeal.
The charity plans to train fifty new volunteers before the end of the month.
A small group of students raised money for the children's hospital by running a marathon.
The shelter now offers warm meals, clean clothes and advice to people without a home.
Donors can choose to support education, clean water or emergency relief projects.
The annual charity concert sold out within two hours of tickets going on sale.
A spokesperson for the trust said every donation would be spent on local services.
The library collected books for schools in rural areas across the country.
Many families rely on the community kitchen for at least one hot meal a day.
The charity shop on the high street has extended its opening hours.
A new partnership between the council and local charities will help older residents.
The fundraising walk along the river attracted hundreds of participants.
Volunteers repaired bicycles and donated them to students who live far from school.
The relief agency sent blankets, tents and medicine to the flooded villages.
Local businesses agreed to match every donation made during the festival weekend.
The youth club reopened after volunteers painted the hall and fixed the roof.
The company released a software update that improves battery life on older phones.
Engineers tested the new network in three cities before the national launch.
The startup said its application helps farmers track rainfall and soil moisture.
Researchers built a small robot that can sort recycling faster than a person.
The update also fixes several bugs reported by users over the past month.
A new data centre powered by wind energy opened near the coast.
The university launched a free online course about programming for beginners.
The city installed sensors to measure traffic and air quality on busy streets.
Experts recommend that users change their passwords regularly and enable two-factor login.
The museum uses a mobile application to guide visitors through the exhibition.
Developers will present the open source project at the conference next week.
The new laptop is lighter than the previous model and has a brighter screen.
Engineers say the satellite will help improve weather forecasts in remote regions.
The library now lends tablets and portable internet routers to residents.
A software error delayed several flights at the airport on Tuesday evening.
The company said customer data was not affected by the brief service outage.
Students designed an app that reminds patients to take their medicine on time.
The research team published its code so that others can repeat the experiments.
Electric buses will replace the old diesel fleet over the next five years.
The translation tool now supports more languages and works without an internet connection.
Fire crews reminded residents to test their smoke alarms once a month.
The road was closed for several hours after a lorry lost part of its load.
Police advised drivers to slow down because of ice on the mountain roads.
The new cycle lanes are separated from traffic by a low concrete barrier.
Lifeguards will patrol the beach every day from June until the end of September.
The factory passed its annual safety inspection without any serious findings.
Officials urged hikers to carry water, a map and a charged phone.
The bridge will be inspected next month after engineers noticed small cracks.
Schools will hold fire drills at the start of each term.
The hospital opened a new emergency department with twenty additional beds.
Health officials recommend washing hands often during the flu season.
The council installed brighter street lights near the railway station.
A new pedestrian crossing was built outside the primary school.
Workers must wear helmets and protective boots on the building site.
The airline said the flight returned to the airport as a precaution.
Rescue teams found the missing climbers safe and well on Sunday morning.
The coast guard warned swimmers about strong currents near the harbour.
Inspectors checked the playground equipment and replaced two broken swings.
The safety campaign encourages drivers to take a break every two hours.
The railway company will upgrade the signals on the northern line.
Leaders from twenty countries met at the summit to discuss trade and climate.
The two presidents agreed to hold further talks in the spring.
Ministers signed an agreement to protect fishing stocks in the northern sea.
The summit ended with a joint statement on food security and clean energy.
Delegates spent three days discussing water, health and education.
The foreign minister said the talks had been open and constructive.
A press conference will be held after the final session on Friday afternoon.
The meeting focused on ways to reduce the cost of renewable energy.
The host city prepared for thousands of visitors during the summit week.
Negotiators reached a provisional deal late on Thursday night.
The agreement will be reviewed by national parliaments before it takes effect.
The conference brought together scientists, officials and business leaders.
Observers said the summit had produced modest but useful results.
The next meeting of the group is planned for the autumn.
Leaders discussed how to improve rail links between neighbouring countries.
The declaration calls for more investment in public health systems.
Heavy rain is expected across the western region throughout the weekend.
Forecasters said temperatures would rise to twenty-five degrees by Thursday.
Strong winds caused delays to ferry services on Monday.
The first snow of the season fell on the mountains overnight.
A weather warning remains in place for the coastal areas until midnight.
The spring was the driest on record in several southern provinces.
Farmers welcomed the rain after weeks of dry and sunny weather.
Fog made driving conditions difficult on the motorway early this morning.
The river rose quickly after two days of heavy rainfall.
Meteorologists expect a mild and cloudy week with occasional showers.
Thunderstorms are likely in the afternoon, especially in the hills.
The heatwave is expected to end on Saturday as cooler air arrives from the north.
Residents were advised to stay indoors during the storm.
The national weather service will publish an updated forecast at noon.
Snow ploughs cleared the main roads before the morning rush hour.
Sunny spells will be followed by light rain in the evening.
The wind will ease overnight, and tomorrow will be calm and bright.
Temperatures fell below freezing for the first time this autumn.
The autumn storms brought down several trees in the park.
The weather station on the island recorded its highest wind speed in ten years.
The primary school will open a new science classroom in September.
Teachers and parents met to discuss the new reading programme.
Pupils planted trees in the school garden as part of an environmental project.
The secondary school won a national award for its music department.
The government announced extra funding for school meals.
Students will sit their final examinations in June.
The school library received a donation of five hundred new books.
A new bus route will help children in the villages reach school on time.
The head teacher praised the pupils for their work on the charity project.
The school introduced free breakfast clubs for all pupils.
Teachers will receive additional training in digital skills next year.
The university opened applications for its summer programme.
Children learned about local history during a visit to the castle.
The school choir performed at the town hall before the holidays.
The new sports hall will be used by the school and the local community.
The education ministry published guidance on homework and screen time.
Older students volunteer as reading partners for younger children.
The school council voted to reduce plastic waste in the canteen.
Parents can now follow their children's progress through an online portal.
Enrolment at the adult evening classes has grown steadily.
The city council approved the budget for the coming year.
The new park will include a playground, a pond and a running track.
Unemployment fell slightly in the last quarter, according to official figures.
The central bank kept interest rates unchanged on Wednesday.
The market reopened after renovation work that lasted six months.
Local farmers sell fresh vegetables at the Saturday market.
The town celebrated its anniversary with music, food and fireworks.
The museum will display a collection of old maps and letters.
The orchestra announced a new season of free concerts in the park.
The national team won the match by two goals to one.
The marathon will close several streets in the city centre on Sunday.
The tennis tournament attracted players from more than thirty countries.
The swimming pool will reopen after the repairs are finished.
Scientists discovered a new species of frog in the tropical forest.
The observatory will host a public evening to watch the eclipse.
Researchers say regular walking can improve sleep and mood.
The study followed two thousand adults over a period of ten years.
The zoo welcomed two baby elephants this spring.
The national park recorded a record number of visitors last summer.
The festival will feature films from more than forty countries.
The theatre is staging a new production of a classic comedy.
The bakery on the corner has been run by the same family for three generations.
A new hotel opened near the old harbour.
The ferry company added extra sailings for the holiday season.
Train tickets will be cheaper for students and pensioners from next month.
The airport expects a busy weekend as the holidays begin.
The city plans to plant ten thousand trees over the next decade.
Recycling rates have improved since the new collection service started.
The solar farm will provide electricity for around five thousand homes.
The water company is replacing old pipes in the eastern district.
The council will consult residents before changing the parking rules.
A new health centre opened in the village, reducing travel for patients.
Doctors recommend a balanced diet and regular exercise.
The vaccination campaign reached most older residents within a month.
The pharmacy extended its opening hours during the winter.
The hospital is recruiting nurses, doctors and support staff.
The community centre offers free language lessons for newcomers.
The post office will move to a larger building next year.
The mayor thanked the emergency services for their quick response.
The report recommends better public transport in rural areas.
The exhibition explores the history of the railway in the region.
The writer will read from her new novel at the library on Thursday.
The photography competition is open to amateurs of all ages.
The annual book fair attracted publishers from across Europe.
The river festival includes boat races and a night market.
The new bridge shortens the journey between the two towns by twenty minutes.
Workers began repairing the road surface on the main street.
The company plans to hire two hundred new employees this year.
The shop will donate unsold food to the local shelter.
The farmers' cooperative invested in a new storage facility.
Fishermen reported a good catch after a quiet winter.
The forest service cleared paths damaged by the storm.
Birdwatchers counted more than one hundred species during the weekend survey.
The garden show displayed roses, tulips and rare herbs.
The science fair gave pupils a chance to present their experiments.
The orchestra will tour five cities in the autumn.
The football club opened a training academy for young players.
The cycling race will pass through the village on Tuesday afternoon.
The chess tournament was won by a sixteen-year-old student.
The new ferry is quieter and uses less fuel than the old one.
The harbour will be dredged to allow larger ships to dock.
The government published a plan to improve internet access in rural areas.
The city opened a new public library with a children's reading room.
The charity will run a free summer camp for children from low-income families.
The weather was calm and clear for the opening ceremony.
The organisers expect the event to raise money for three local charities.
Officials said the new rules would make the roads safer for cyclists.
The summit was held in a conference centre overlooking the lake.
Students from the technical college built a small electric car.
The school will offer coding lessons to pupils from the age of eight.
Volunteers cleaned the beach and collected forty bags of litter.
The new timetable will come into effect on the first of the month.
The bakery won a prize for the best bread in the region.
The council is asking residents for ideas about the future of the old factory.
The weather forecast for tomorrow is dry with a gentle breeze.
The software company opened a new office in the city centre.
The fire service reminded families to keep candles away from curtains.
Ministers will meet again next month to review progress on the agreement.
The museum is free for children under twelve.
A new bus shelter was installed outside the health centre.
The charity's annual report shows that more people are asking for help.
Engineers completed the first stage of the tunnel ahead of schedule.
The school celebrated its hundredth anniversary with an open day.
The storm moved out to sea overnight, and the morning was bright.
The translation service helps visitors read signs and menus in their own language.
Teachers say that reading aloud every day helps children learn new words.
The volunteers meet every Wednesday evening in the church hall.
The new phone network covers the mountain villages for the first time.
The festival organisers asked visitors to use public transport.
The summit host thanked the delegations and closed the meeting.
Safety experts recommend wearing a helmet when riding a bicycle.
The weather service confirmed that last month was the warmest on record.
The school bus will leave ten minutes earlier during the winter months.
The charity is looking for drivers to deliver meals to elderly residents.
The new computer lab has thirty desks and a large projector.
The city opened a cooling centre for residents during the heatwave.
The delegates visited a local school and a solar power plant.
The swimming lessons are free for all pupils in the district.
Researchers are testing a new method to predict floods several days in advance.
The village hall will host a craft fair on Saturday.
Residents can recycle old electronics at the collection point next to the library.
The hospital garden was designed by volunteers and local students.
The committee will publish its recommendations before the end of the year.
The ferry was delayed by one hour because of high waves.
The primary school received new musical instruments from a local charity.
The river path will be closed for repairs until the end of May.
The airport introduced faster security checks for passengers with hand luggage only.
The charity's volunteers visit lonely older people twice a week.
A children's charity opened a reading centre in the old post office.
The appeal raised enough money to buy a new ambulance for the island.
The food bank is asking for rice, pasta, tinned fruit and soap.
The charity will use the grant to provide free legal advice.
Volunteers planted flowers along the road to the station.
The school uniform exchange helps parents save money every autumn.
The hospital radio is run entirely by volunteers.
The new tablet computer will go on sale in the spring.
The city's website now works better on small screens.
Engineers replaced the old cables with faster fibre connections.
The research centre opened its laboratories to the public for one day.
A local company developed a sensor that detects leaks in water pipes.
The app shows real-time information about buses and trains.
Programmers met for a weekend to build tools for charities.
The company will publish a report on its energy use every year.
The council checked all public buildings for fire safety.
Drivers are reminded to check their tyres before long journeys.
The new traffic lights give pedestrians more time to cross.
The beach was closed for an hour after a jellyfish warning.
The tunnel will be closed overnight for routine maintenance.
The swimming club teaches water safety to young children.
The ministers discussed cooperation in science and research.
The summit agreed to set up a fund for disaster relief.
The talks will continue at the level of experts next month.
Both delegations described the meeting as friendly and productive.
The summit's final document was published on the official website.
A light breeze will keep temperatures comfortable along the coast.
Frost is likely in sheltered valleys early on Monday.
The rain will clear from the west by the afternoon.
The hottest part of the day will be between noon and four o'clock.
Winds from the south will bring warmer air later in the week.
Visibility was poor because of low cloud over the hills.
The school trip to the science museum was a great success.
The new school building has large windows and a green roof.
Pupils practised their language skills with visitors from abroad.
The teachers organised a sports day for the whole school.
The school nurse gave a talk about healthy eating.
The kindergarten will extend its hours from next term.
The school's robotics team qualified for the national final.
The students wrote letters to residents of the care home.
The public library will be closed on the national holiday.
"""


def _language_name(code: str) -> str:
    return _LANGUAGE_NAMES.get(code, code)


def _sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# Pieces of made-up names for the generated text (see _synthetic_lines).
# fmt: off
_ONSETS = [
    "b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n",
    "p", "pl", "pr", "r", "s", "sh", "sl", "st", "t", "th", "tr", "v", "w", "y", "z",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ei", "ou", "ia", "io"]
_CODAS = ["", "n", "r", "l", "s", "m", "nd", "st", "rt", "x"]
# fmt: on


def _synthetic_lines(base: list[str], count: int) -> list[str]:
    # 32k pieces need far more distinct strings than a few hundred sentences hold. Real
    # sentences with one or two words replaced by pronounceable made-up names keep the common
    # English words frequent (so they stay whole pieces) while adding enough rare material.
    rng = random.Random(0)
    syllables = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]
    lines = []
    for _ in range(count):
        words = rng.choice(base).split()
        for _ in range(rng.randint(1, 2)):
            name = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
            words[rng.randrange(len(words))] = name.capitalize() if rng.random() < 0.5 else name
        lines.append(" ".join(words))
    return lines


def _corpus_lines(text: str, vocab_size: int) -> list[str]:
    base = _text_lines(text)
    if not base:
        raise ValueError("training_text has no non-blank line")
    if vocab_size <= _SMALL_VOCAB:
        return base
    # Two generated lines per requested piece reach 32,000 pieces with the bundled text.
    return base + _synthetic_lines(base, 2 * vocab_size)


def _train_sentencepiece(lines: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    # BPE keeps frequent English words whole (unigram split them on this corpus) and, with
    # hard_vocab_limit=False, returns fewer pieces instead of failing when the text is short.
    # Training from an iterator into memory keeps file paths out of the model proto, and one
    # thread keeps the result byte-identical between runs.
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _sentencepiece_model(text: str, vocab_size: int, cache_dir: Path | None) -> bytes:
    import sentencepiece as spm

    key = _sha256(
        json.dumps(
            {
                "generator": GENERATOR_VERSION,
                "sentencepiece": spm.__version__,
                "vocab_size": vocab_size,
                "text": _sha256(text),
            },
            sort_keys=True,
        )
    )[:32]
    cached = cache_dir / f"sentencepiece-{key}.model" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data = _train_sentencepiece(_corpus_lines(text, vocab_size), vocab_size)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)
    return data


def _length_curves() -> tuple[FloatArray, FloatArray]:
    """Return ``u`` per source position and ``v`` per target step (see the module docstring)."""
    import numpy as np

    p = np.arange(_MAX_POSITIONS, dtype=np.float64)
    u = np.log1p(p) / math.log1p(_MAX_POSITIONS)
    lengths = np.arange(1, _MAX_POSITIONS + 1, dtype=np.float64)
    mean_u = np.cumsum(u) / lengths  # U(n) at index n - 1
    # The source length for which step t is the stop step; v(t) > U(n) <=> t > 1.3 n + 5.
    x = (p - _LENGTH_OFFSET) / _LENGTH_RATIO
    v = np.interp(x, lengths, mean_u)
    # Below one source token extend linearly, so the first steps are firmly "go on".
    short = x < 1
    v[short] = mean_u[0] + (x[short] - 1) * (mean_u[1] - mean_u[0])
    return u.astype(np.float32), v.astype(np.float32)


def _control_size(d_model: int) -> int:
    # Even (the block is made of +/- pairs) and at least 8: 6 signal dims and 2 fillers.
    return max(8, 2 * ((d_model // 8 + 1) // 2))


def _build_spec(size: ModelSize, vocabulary: list[str], seed: int) -> Any:
    """Return a filled ``ctranslate2.specs.TransformerSpec`` (see the module docstring)."""
    import numpy as np
    from ctranslate2.specs import TransformerSpec

    d, heads, ffn, vocab = size.d_model, size.heads, size.ffn, len(vocabulary)
    n_c = _control_size(d)
    r = d - n_c  # random dims come first, the control block is [r, d)
    head_dim = d // heads
    k = _CONTROL
    rng = np.random.RandomState(seed)

    def normal(shape: tuple[int, ...], std: float) -> FloatArray:
        return (rng.standard_normal(shape) * std).astype(np.float32)

    def linear(
        out_dim: int, in_dim: int, gain: float, *, reads_model: bool, writes_model: bool
    ) -> tuple[FloatArray, FloatArray]:
        # Random layers neither read the control block (it would swamp their inputs) nor write
        # it (they would blur the stop signal); gains below 1 on the outputs keep the random
        # residual around _RANDOM_SCALE after 6 layers.
        fan_in = r if reads_model else in_dim
        weight = normal((out_dim, in_dim), gain / math.sqrt(fan_in))
        bias = normal((out_dim,), 0.02)
        if reads_model:
            weight[:, r:] = 0
        if writes_model:
            weight[r:, :] = 0
            bias[r:] = 0
        return weight, bias

    def set_linear(layer: Any, weight: FloatArray, bias: FloatArray) -> None:
        layer.weight = weight
        layer.bias = bias

    # Layer norms see sigma ~ K * sqrt(n_c / d) (the control block dominates); this gain brings
    # the random dims back to ~1 so the random layers work on ordinary magnitudes.
    enc_sigma = k * math.sqrt((n_c - 2) / d)
    dec_sigma = k * math.sqrt((n_c - 4) / d)

    def set_norm(norm: Any, sigma: float, control_gain: float) -> None:
        gamma = np.full((d,), sigma / _RANDOM_SCALE, dtype=np.float32)
        gamma[r:] = control_gain
        norm.gamma = gamma
        norm.beta = np.zeros((d,), dtype=np.float32)

    def sinusoids() -> FloatArray:
        half = r // 2
        pos = np.arange(_MAX_POSITIONS, dtype=np.float64)[:, None]
        freq = 10000.0 ** (-np.arange(half, dtype=np.float64) / half)
        table = np.zeros((_MAX_POSITIONS, d), dtype=np.float32)
        table[:, :half] = np.sin(pos * freq)
        table[:, half : 2 * half] = np.cos(pos * freq)
        return table

    def fillers(table: FloatArray, start: int) -> None:
        table[:, start:d:2] = k
        table[:, start + 1 : d : 2] = -k

    # Inner norms give the control block gain 0: only the final norms pass it on, and the
    # int8 step of each random layer's input is then set by the random dims alone.
    def fill_self_attention_and_ffn(layer: Any, sigma: float) -> None:
        set_norm(layer.self_attention.layer_norm, sigma, 0.0)
        set_linear(
            layer.self_attention.linear[0],
            *linear(3 * d, d, 1.0, reads_model=True, writes_model=False),
        )
        set_linear(
            layer.self_attention.linear[1], *linear(d, d, 0.5, reads_model=False, writes_model=True)
        )
        set_norm(layer.ffn.layer_norm, sigma, 0.0)
        set_linear(layer.ffn.linear_0, *linear(ffn, d, 1.0, reads_model=True, writes_model=False))
        set_linear(layer.ffn.linear_1, *linear(d, ffn, 0.7, reads_model=False, writes_model=True))

    u, v = _length_curves()
    spec = TransformerSpec.from_config(size.layers, heads, pre_norm=True)

    # Encoder: control block = [K u, -K u, K sqrt(1-u^2), -K sqrt(1-u^2), fillers].
    encoder = spec.encoder
    embeddings = normal((vocab, d), 1 / math.sqrt(d))  # scale_embeddings multiplies by sqrt(d)
    embeddings[:, r:] = 0
    encoder.embeddings[0].weight = embeddings
    table = sinusoids()
    table[:, r] = k * u
    table[:, r + 1] = -k * u
    table[:, r + 2] = k * np.sqrt(1 - u * u)
    table[:, r + 3] = -table[:, r + 2]
    fillers(table, r + 4)
    encoder.position_encodings.encodings = table
    for layer in encoder.layer:
        fill_self_attention_and_ffn(layer, enc_sigma)
    set_norm(encoder.layer_norm, enc_sigma, 1.0)

    # Decoder: control block = [K v, -K v, K sqrt(1-v^2), -K sqrt(1-v^2), M, -M, fillers].
    decoder = spec.decoder
    embeddings = normal((vocab, d), 1 / math.sqrt(d))
    embeddings[:, r:] = 0
    decoder.embeddings.weight = embeddings
    table = sinusoids()
    table[:, r] = k * v
    table[:, r + 1] = -k * v
    table[:, r + 2] = k * np.sqrt(np.clip(1 - v * v, 0, 1))
    table[:, r + 3] = -table[:, r + 2]
    fillers(table, r + 6)
    decoder.position_encodings.encodings = table
    for index, layer in enumerate(decoder.layer):
        fill_self_attention_and_ffn(layer, dec_sigma)
        attention = layer.attention
        set_norm(attention.layer_norm, dec_sigma, 0.0)
        query = linear(d, d, 1.0, reads_model=True, writes_model=False)
        keys_values = linear(2 * d, d, 1.0, reads_model=True, writes_model=False)
        output = linear(d, d, 0.5, reads_model=False, writes_model=True)
        if index == 0:
            # The last head: zero queries -> uniform attention over the source; its first
            # value dim reads memory[u] - memory[-u] = 2 u(p) K / sigma, so it outputs
            # _CONTEXT_GAIN * U(n); the output projection turns that into +-K U(n).
            h = slice((heads - 1) * head_dim, heads * head_dim)
            query[0][h] = 0
            query[1][h] = 0
            kv_head = slice(d + (heads - 1) * head_dim, d + heads * head_dim)
            keys_values[0][h] = 0
            keys_values[1][h] = 0
            keys_values[0][kv_head] = 0
            keys_values[1][kv_head] = 0
            row = d + (heads - 1) * head_dim
            w = _CONTEXT_GAIN * enc_sigma / (2 * k)
            keys_values[0][row, r] = w
            keys_values[0][row, r + 1] = -w
            output[0][:, h] = 0
            output[0][r + 4, (heads - 1) * head_dim] = k / _CONTEXT_GAIN
            output[0][r + 5, (heads - 1) * head_dim] = -k / _CONTEXT_GAIN
        set_linear(attention.linear[0], *query)
        set_linear(attention.linear[1], *keys_values)
        set_linear(attention.linear[2], *output)
    set_norm(decoder.layer_norm, dec_sigma, 1.0)

    # Word logits ignore the control block, or the slowly moving position signal in it would
    # pick the same few words at every step.
    projection = normal((vocab, d), _LOGIT_STD / math.sqrt(r))
    projection[:, r:] = 0
    bias = np.zeros((vocab,), dtype=np.float32)
    eos = vocabulary.index("</s>")
    # One int8 step of the final norm's output is ~(K / dec_sigma) / 127 in v - U units.
    gain = _EOS_LOGIT_PER_STEP * 127 * dec_sigma / (2 * k)
    projection[eos] = 0
    projection[eos, r] = gain
    projection[eos, r + 1] = -gain
    projection[eos, r + 4] = -gain
    projection[eos, r + 5] = gain
    for banned in ("<unk>", "<s>"):
        bias[vocabulary.index(banned)] = _BANNED_LOGIT
    decoder.projection.weight = projection
    decoder.projection.bias = bias

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def _convert(spec: Any, output_dir: Path, quantization: str) -> None:
    from ctranslate2.converters import Converter

    class _SpecConverter(Converter):  # type: ignore[misc]  # ctranslate2 ships no type hints
        # The documented way to write a hand-built spec: convert() validates, quantizes and
        # saves whatever _load() returns.
        def __init__(self, model_spec: Any) -> None:
            self._spec = model_spec

        def _load(self) -> Any:
            return self._spec

    _SpecConverter(spec).convert(str(output_dir), quantization=quantization, force=True)


def _ctranslate2_model(
    size: ModelSize,
    seed: int,
    quantization: str,
    sentencepiece_model: bytes,
    cache_dir: Path | None,
    work_dir: Path,
) -> Path:
    import ctranslate2
    import sentencepiece as spm

    key = _sha256(
        json.dumps(
            {
                "generator": GENERATOR_VERSION,
                "ctranslate2": ctranslate2.__version__,
                "size": asdict(size),
                "seed": seed,
                "quantization": quantization,
                "sentencepiece": _sha256(sentencepiece_model),
            },
            sort_keys=True,
        )
    )[:32]
    final = (cache_dir if cache_dir is not None else work_dir) / f"ctranslate2-{key}"
    # The directory only ever appears complete (renamed into place), so existing means usable.
    if final.is_dir():
        return final
    processor = spm.SentencePieceProcessor(model_proto=sentencepiece_model)
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    final.parent.mkdir(parents=True, exist_ok=True)
    building = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    _convert(_build_spec(size, vocabulary, seed), building, quantization)
    try:
        building.rename(final)
    except OSError:
        # Another process cached the same model meanwhile: theirs is identical.
        shutil.rmtree(building, ignore_errors=True)
        if not final.is_dir():
            raise
    return final


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _zip_info(name: str, *, directory: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.create_system = 3  # Unix, whatever the host, so the bytes do not depend on it
    if directory:
        info.external_attr = (0o40755 << 16) | 0x10
    else:
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_zip(path: Path, top: str, files: dict[str, bytes | Path]) -> None:
    names = {f"{top}/"} | {f"{top}/{name}" for name in files}
    for name in files:
        parts = name.split("/")[:-1]
        names |= {f"{top}/{'/'.join(parts[: i + 1])}/" for i in range(len(parts))}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(names):
            if name.endswith("/"):
                archive.writestr(_zip_info(name, directory=True), b"")
                continue
            content = files[name[len(top) + 1 :]]
            info = _zip_info(name, directory=False)
            if isinstance(content, bytes):
                archive.writestr(info, content)
            else:
                info.file_size = content.stat().st_size
                with content.open("rb") as src, archive.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(path)


def _readme(
    from_code: str, to_code: str, size: ModelSize, vocab: int, seed: int, quantization: str
) -> str:
    return (
        f"# Synthetic {_language_name(from_code)} to {_language_name(to_code)} test package\n\n"
        "Generated by `pipeline.testing.argos_package` "
        f"(generator version {GENERATOR_VERSION}) for tests, benchmarks and offline demos.\n"
        "The weights are random: translations are meaningless strings of real vocabulary\n"
        "pieces, about 1.3 x the source tokens + 5 long.\n\n"
        f"- layers: {size.layers}, d_model: {size.d_model}, heads: {size.heads}, "
        f"ffn: {size.ffn}\n"
        f"- SentencePiece vocabulary (shared): {vocab} pieces\n"
        f"- seed: {seed}, quantization: {quantization}\n"
    )


def build_argos_package(
    dest_dir: Path,
    *,
    from_code: str = "en",
    to_code: str = "es",
    size: ModelSize = TINY,
    seed: int = 0,
    package_version: str = "1.0",
    quantization: str = "int8",
    training_text: str | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Build dest_dir/translate-{from}_{to}-{version}.argosmodel and return its path.

    The package installs with ``argostranslate.package.install_from_path``. Its bytes depend
    only on the arguments (and the installed sentencepiece, ctranslate2 and zlib). With
    ``cache_dir`` the SentencePiece model and the CTranslate2 model directory are kept there,
    keyed by a hash of their inputs, so a large size is built once. ``training_text`` (one
    sentence a line) replaces the bundled English sentences; ``size.vocab_size`` is an upper
    bound when the text is too small for it.
    """
    for code in (from_code, to_code):
        if not re.fullmatch(r"[a-z]{2,3}([_-][A-Za-z]+)?", code):
            raise ValueError(f"not an Argos language code: {code!r}")
    if not re.fullmatch(r"[0-9A-Za-z.]+", package_version):
        raise ValueError(f"unsupported package version: {package_version!r}")
    import sentencepiece as spm

    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    text = training_text if training_text is not None else _BUNDLED_TEXT
    sentencepiece_model = _sentencepiece_model(text, size.vocab_size, cache_dir)
    vocab = spm.SentencePieceProcessor(model_proto=sentencepiece_model).get_piece_size()
    metadata = {
        "package_version": package_version,
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": _language_name(from_code),
        "to_code": to_code,
        "to_name": _language_name(to_code),
        "type": "translate",
    }
    top = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    path = dest_dir / f"translate-{from_code}_{to_code}-{package_version}.argosmodel"
    with tempfile.TemporaryDirectory(prefix="argos-package-") as tmp:
        model_dir = _ctranslate2_model(
            size, seed, quantization, sentencepiece_model, cache_dir, Path(tmp)
        )
        files: dict[str, bytes | Path] = {
            "metadata.json": (json.dumps(metadata, indent=4) + "\n").encode("utf-8"),
            "README.md": _readme(from_code, to_code, size, vocab, seed, quantization).encode(),
            "sentencepiece.model": sentencepiece_model,
        }
        for item in sorted(model_dir.iterdir()):
            files[f"model/{item.name}"] = item
        _write_zip(path, top, files)
    return path
