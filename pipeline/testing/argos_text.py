"""The English text behind the generated test packages' SentencePiece models.

A few hundred bundled sentences (news-like, written for these tests) and, for large
vocabularies, more lines made from them with invented names, so BPE reaches 32,000 pieces.
Used by :mod:`pipeline.testing.argos_package` and by ``bench/run.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
from pathlib import Path

__all__ = ["BUNDLED_TEXT", "sentencepiece_model", "text_lines"]

# Vocabularies above this size need generated text on top of the given sentences.
_SMALL_VOCAB = 1000

BUNDLED_TEXT = """\
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


def _sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def text_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, stripped."""
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
    base = text_lines(text)
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


def sentencepiece_model(
    text: str, vocab_size: int, cache_dir: Path | None, generator: str
) -> bytes:
    """A BPE model trained on ``text`` (cached in ``cache_dir`` by a hash of its inputs)."""
    import sentencepiece as spm

    key = _sha256(
        json.dumps(
            {
                "generator": generator,
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
