"""Native-script sample text for layout tests: an engine that writes every script.

The pseudo engine only accents Latin letters, which says nothing about Nastaliq leading or
Thai line breaking. :class:`ScriptSampleEngine` answers each English sentence with words
taken from a few sample sentences in the target language (written for this module), about as
long as the source, with the source's placeholders, numbers, phone numbers, amounts, dates,
e-mail addresses and URLs kept where they were. The result reads as word salad, but it has
the script's real letters, joins, word lengths and break opportunities.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Collection, Sequence

from pipeline.engines import Translation
from pipeline.engines.pseudo import PseudoEngine

# One language per script family, plus the languages of the example project. Each: three
# sentences meaning "Clean water keeps the whole family healthy. The health centre is open
# every day from morning to evening. Please share this information with your neighbours."
SAMPLES: dict[str, str] = {
    "es": "El agua limpia mantiene sana a toda la familia. El centro de salud abre todos los "
    "días desde la mañana hasta la noche. Comparta esta información con sus vecinos.",
    "fr": "L'eau propre garde toute la famille en bonne santé. Le centre de santé est ouvert "
    "tous les jours du matin au soir. Partagez cette information avec vos voisins.",
    "ru": "Чистая вода сохраняет здоровье всей семьи. Медицинский центр открыт каждый день с "
    "утра до вечера. Поделитесь этой информацией с соседями.",
    "uk": "Чиста вода зберігає здоров'я всієї родини. Медичний центр працює щодня з ранку до "
    "вечора. Поділіться цією інформацією з сусідами.",
    "el": "Το καθαρό νερό κρατά όλη την οικογένεια υγιή. Το κέντρο υγείας είναι ανοιχτό κάθε "
    "μέρα από το πρωί ως το βράδυ. Μοιραστείτε αυτές τις πληροφορίες με τους γείτονές σας.",
    "ar": "الماء النظيف يحافظ على صحة الأسرة كلها. المركز الصحي مفتوح كل يوم من الصباح حتى "
    "المساء. شارك هذه المعلومات مع جيرانك.",
    "ur": "صاف پانی پورے خاندان کو صحت مند رکھتا ہے۔ صحت مرکز ہر روز صبح سے شام تک کھلا رہتا "
    "ہے۔ یہ معلومات اپنے پڑوسیوں کے ساتھ بانٹیں۔",
    "fa": "آب تمیز همه خانواده را سالم نگه می‌دارد. مرکز بهداشت هر روز از صبح تا عصر باز است. "
    "این اطلاعات را با همسایگان خود در میان بگذارید.",
    "he": "מים נקיים שומרים על בריאות כל המשפחה. המרפאה פתוחה כל יום מהבוקר עד הערב. שתפו "
    "את המידע הזה עם השכנים שלכם.",
    "hi": "साफ़ पानी पूरे परिवार को स्वस्थ रखता है। स्वास्थ्य केंद्र हर दिन सुबह से शाम तक खुला "
    "रहता है। यह जानकारी अपने पड़ोसियों के साथ साझा करें।",
    "bn": "পরিষ্কার পানি পুরো পরিবারকে সুস্থ রাখে। স্বাস্থ্যকেন্দ্র প্রতিদিন সকাল থেকে সন্ধ্যা "
    "পর্যন্ত খোলা থাকে। এই তথ্য আপনার প্রতিবেশীদের সাথে ভাগ করুন।",
    "ta": "சுத்தமான தண்ணீர் முழு குடும்பத்தையும் ஆரோக்கியமாக வைக்கிறது. சுகாதார மையம் "
    "ஒவ்வொரு நாளும் காலை முதல் மாலை வரை திறந்திருக்கும். இந்தத் தகவலை உங்கள் "
    "அண்டை வீட்டாருடன் பகிருங்கள்.",
    "th": "น้ำสะอาด ช่วยให้ ทุกคน ในครอบครัว มีสุขภาพดี ศูนย์สุขภาพ เปิด ทุกวัน ตั้งแต่ เช้า "
    "จนถึง เย็น โปรด แบ่งปัน ข้อมูลนี้ กับ เพื่อนบ้าน ของคุณ",
    "am": "ንጹህ ውሃ መላውን ቤተሰብ ጤናማ ያደርጋል። የጤና ጣቢያው በየቀኑ ከጠዋት እስከ ማታ ክፍት ነው። ይህንን መረጃ ለጎረቤቶችዎ ያካፍሉ።",
    "ka": "სუფთა წყალი მთელ ოჯახს ჯანმრთელს ინარჩუნებს. ჯანდაცვის ცენტრი ღიაა ყოველდღე "
    "დილიდან საღამომდე. გაუზიარეთ ეს ინფორმაცია თქვენს მეზობლებს.",
    "hy": "Մաքուր ջուրը ամբողջ ընտանիքին առողջ է պահում։ Առողջության կենտրոնը բաց է ամեն "
    "օր՝ առավոտից երեկո։ Կիսվեք այս տեղեկությամբ ձեր հարևանների հետ։",
    "zh": "干净的 水 让 全家人 保持 健康。 卫生 中心 每天 从 早上 开放 到 晚上。 请 把 这些 "
    "信息 告诉 你的 邻居。",
    "ja": "きれいな 水は 家族 みんなの 健康を 守ります。 保健 センターは 毎日 朝から 夕方まで "
    "開いています。 この 情報を 近所の 人と 共有して ください。",
    "ko": "깨끗한 물은 온 가족의 건강을 지켜 줍니다. 보건소는 매일 아침부터 저녁까지 문을 "
    "엽니다. 이 정보를 이웃과 나누어 주세요.",
}

# Written without spaces between words: the spaces above only mark the words to pick.
_NO_SPACES = {"th", "zh", "ja"}
# Letters of output per letter of English: Chinese and Japanese say it in far fewer.
_DENSITY = {"zh": 0.35, "ja": 0.5, "ko": 0.6}

# Kept as in the source: placeholders, e-mail addresses, URLs, and numbers with what makes
# them one token (sign, currency, digit groups, date and time separators, percent).
_KEEP_RE = re.compile(
    r"[{｛]\s*\d+\s*[}｝]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|https?://\S+"
    r"|[+£$€¥₹]?\d(?:[\d,.:/–-]|\s(?=\d))*%?"
)
_LETTER_RE = re.compile(r"\w")


def sample_words(code: str) -> list[str]:
    """The words :class:`ScriptSampleEngine` draws from for ``code`` (its sample, split)."""
    return SAMPLES[code].split()


def sample_text(source: str, code: str) -> str:
    """``source`` said in ``code``'s script: its words replaced, its kept tokens in place."""
    words = sample_words(code)
    joiner = "" if code in _NO_SPACES else " "
    start = zlib.crc32(source.encode("utf-8")) % len(words)
    out: list[str] = []
    pos = 0
    for match in [*_KEEP_RE.finditer(source), None]:
        end = match.start() if match else len(source)
        run = source[pos:end]
        letters = len(_LETTER_RE.findall(run))
        if letters:
            wanted = max(1, round(letters * _DENSITY.get(code, 1.0)))
            picked: list[str] = []
            while sum(len(_LETTER_RE.findall(w)) for w in picked) < wanted:
                picked.append(words[(start + len(picked)) % len(words)])
            start += len(picked)
            lead = " " if run[:1].isspace() and out else ""
            trail = " " if run[-1:].isspace() and match else ""
            out.append(lead + joiner.join(picked) + trail)
        else:
            out.append(run)
        if match:
            out.append(match.group(0))
            pos = match.end()
    return "".join(out)


class ScriptSampleEngine(PseudoEngine):
    """An engine for layout tests: native-script sample text for every language above."""

    name = "script-samples"
    notice = ""

    def identity(self, source: str, target: str) -> str:
        """The samples are the model."""
        return "script-samples-1"

    def check(self, source: str, target: str) -> None:
        """Only the languages that have a sample."""
        if target not in SAMPLES:
            from pipeline.errors import ConfigError

            raise ConfigError(f"no script sample for {target!r} (have: {', '.join(SAMPLES)})")

    def translate(
        self,
        sentences: Sequence[str],
        source: str,
        target: str,
        *,
        aligned: Collection[int] | None = None,
    ) -> list[Translation]:
        """Each sentence in the target's script, about as long, kept tokens in place."""
        return [Translation(sample_text(s, target), 0.0) for s in sentences]

    def release(self) -> None:
        """Nothing loaded."""
