"""Polish rules. A reproach needs its verb and the customer as its subject ("Powinien Pan był sprawdzić",
not "Powinien Pan był otrzymać"), a policy is only a wall when the clause citing it refuses ("Zgodnie z
regulaminem przysługuje zwrot" is news), and "not YOUR fault" is empathy."""

from __future__ import annotations

from responder.tone_rules.base import Rule, _rule

RULES: tuple[Rule, ...] = (
    _rule("defensive",
          r"\bjak (?:(?:już|juz|wcześniej|kilkukrotnie|wielokrotnie|kilka razy|to|ten|pan[ua]?|pani|państwu"
          r"|ci|tobie|wam) ){0,4}(?:wspomni|wspomina|\w*pisa|mówi|powiedzie|\w*tłumaczy|wyjaśni|wyjaśnia"
          r"|\w*informowa|zaznaczy|zaznacza|podkreśli|podkreśla|wskazywa|wskaza|przekaza|powtarza|odpowiada"
          r"|odpowiedzie)(?:liśmy|łyśmy|łem|łam)\b"
          r"|\bjak (?:już |wcześniej |kilkukrotnie )+(?:wspomniano|pisano|napisano|wyjaśniono|informowano"
          r"|zaznaczono|było (?:napisane|powiedziane|wyjaśnione))\b"
          r"|\bpo raz (?:kolejny|ostatni|drugi|trzeci|setny) (?:powtarza|przypomina|wyjaśnia|tłumacz|pisz)\w*"
          r"|\b(?:to )?nie (?:jest )?(?:nasza|moja) wina\b|\bnie z naszej winy\b"
          r"|\bto nie (?:jest )?(?:nasz|mój) (?:błąd|problem)\b|\bwina nie leży po naszej stronie\b"
          r"|\bnie ponosimy (?:za to |tu |żadnej |w tym )*(?:odpowiedzialności|winy)\b"
          r"|\bnie (?:jesteśmy|czujemy się) (?:za to |temu |tu )?(?:odpowiedzialni|winni)\b|\bnie odpowiadamy za\b"
          r"|\bzrobiliśmy wszystko (?:prawidłowo|poprawnie|zgodnie z procedur\w*)\b"
          r"|\b(?:jest (?:pan|pani)|(?:pan|pani) jest|jesteś|są państwo) (?:jedyn\w+|jak dotąd jedyn\w+)\b"
          r"|\bnikt (?:\w+ ){0,2}nie (?:skarż|zgłasza|zgłosi|narzeka|reklamowa|miał)\w*"
          r"|\b(?:przecież|wielokrotnie|kilkakrotnie|kilka razy|nieraz|tyle razy) (?:\w+ ){0,3}?(?:wspomni|wspomina"
          r"|\w*pisa|mówi|powiedzie|\w*tłumaczy|wyjaśni|wyjaśnia|\w*informowa|zaznaczy|zaznacza|podkreśla|przekaza"
          r"|odpowiada)(?:liśmy|łyśmy|łem|łam)\b"
          r"|\bjuż (?:panu|pani|państwu|ci|wam) (?:wspomni|wspomina|\w*pisa|mówi|powiedzie|\w*tłumaczy|wyjaśni"
          r"|wyjaśnia|\w*informowa|zaznaczy|zaznacza|podkreśla|przekaza|odpowiada)(?:liśmy|łyśmy|łem|łam)\b"
          r"|\b(?:jasno|wyraźnie|czarno na białym) (?:\w+ )?(?:napisan|zapisan|podan|opisan|określon|wskazan)\w*"
          r"|\bnie (?:leży|jest) w naszej (?:gestii|kompetencji|odpowiedzialności)\b"
          r"|\bnie mamy z tym nic wspólnego\b|\bto (?:już )?(?:sprawa|problem) (?:kuriera|przewoźnika|poczty"
          r"|banku)\b",
          "Points out that the customer did not listen, or denies responsibility.",
          "Przepraszamy za kłopot; oto, co możemy zrobić:"),
    _rule("blaming",
          r"\b(?:(?:pan|pani|państwo) )?(?:powinien|powinna|powinni|powinny|powinieneś|powinnaś|powinniście)"
          r"(?: (?:pan|pani|państwo))? (?:był|była|byli|były|byłeś|byłaś|byliście)(?: (?:pan|pani|państwo))?"
          r"\b[^.!?;]{0,25}?\b(?:sprawdzić|przeczytać|doczytać|zapoznać|uważać|zwrócić uwagę|upewnić|zweryfikować"
          r"|przejrzeć|wiedzieć|zachować|zapisać|zgłosić|pomyśleć|spojrzeć|zajrzeć|skontaktować)"
          r"|\b(?:trzeba było|należało|wystarczyło)\b (?:\w+ ){0,2}?(?:sprawdzić|przeczytać|doczytać|zapoznać"
          r"|uważać|zwrócić uwagę|upewnić|zweryfikować|przejrzeć|wiedzieć|zachować|zapisać|pomyśleć|spojrzeć"
          r"|zajrzeć|czytać)"
          r"|\b(?:musiał|musiała|musieli|musiałeś|musiałaś|musieliście)(?: (?:się|pan|pani|państwo|chyba|pewnie))*"
          r" (?:(?:źle|błędnie|niepoprawnie|nieprawidłowo) \w+|pomylić|przeoczyć|zapomnieć|nie (?:doczytać"
          r"|zauważyć|przeczytać|sprawdzić))"
          r"|\b(?:pan|pani|państwo)(?: \w+)?(?: się)? (?:pomylił|pomyliła|pomylili)\b"
          r"|\b(?:pomylił|pomyliła|pomylili) się (?:pan|pani|państwo)\b|\bpomyli(?:łeś|łaś|liście) się\b"
          r"|\bsię pomyli(?:łeś|łaś|liście)\b"
          r"|\b(?:pan|pani|państwo)(?: \w+)? (?:źle|błędnie|niepoprawnie) (?:wpisa|przeczyta|zrozumia|poda|wybra"
          r"|wprowadzi|zaznaczy|klikną|wypełni)(?:ł|ła|li)\b"
          r"|\b(?:źle|błędnie|niepoprawnie) (?:wpisa|przeczyta|zrozumia|poda|wybra|wprowadzi|zaznaczy|klikną"
          r"|wypełni)(?:łeś|łaś|liście)\b"
          r"|\bnie (?:zapozna|przeczyta|doczyta)(?:ł|ła|li|łeś|łaś|liście) (?:się )?(?:pan |pani |państwo )?"
          r"(?:z )?(?:regulamin|warunk|zasad|instrukcj|opis)\w*"
          r"|(?<!nie )(?<!nie jest )(?<!nie była )\b(?:to )?(?:pana|pani|twoja|państwa|wasza) wina\b"
          r"|\bwina (?:leży|jest) po (?:pana|pani|twojej|państwa) stronie\b"
          r"|(?<!nie )\bz (?:pana|pani|twojej|państwa|własnej) winy\b"
          r"|\bsam[ai]? sobie (?:pan |pani |państwo )?(?:jest |są )?(?:winien|winna|winni)\b"
          r"|\b(?:sam[a]? (?:pan|pani|ty)|(?:pan|pani) sam[a]?|sami państwo|państwo sami) (?:\w+ )?(?:uszkodzi"
          r"|zniszczy|wybra|zamówi|wpisa|poda|zaznaczy|klikną|zgodzi|zaakceptowa|usuną|skasowa|zepsu|zgubi)(?:ł|ła"
          r"|li)\b"
          r"|\bsam[a]? (?:\w+ )?(?:uszkodzi|zniszczy|wybra|zamówi|wpisa|poda|zaznaczy|klikną|zaakceptowa|usuną"
          r"|zepsu|zgubi)(?:łeś|łaś)\b"
          r"|\b(?:trzeba było|należało|wystarczyło)\b (?:\w+ ){0,2}?(?:zgłosić|poinformować|zareklamować|złożyć)"
          r"|\bnie (?:zauważy|zwróci|przeczyta|doczyta|sprawdzi|zapozna)(?:ł|ła|li) (?:się )?(?:pan|pani|państwo)\b"
          r"|\b(?:pan|pani|państwo) (?:\w+ )?nie (?:zauważy|zwróci|przeczyta|doczyta|sprawdzi|zapozna)(?:ł|ła|li)\b"
          r"|\bnie (?:zauważy|zwróci|przeczyta|doczyta|sprawdzi|zapozna)(?:łeś|łaś|liście)\b"
          r"|\bgdyby (?:pan |pani |państwo )?(?:\w+ )?(?:przeczyta|sprawdzi|doczyta|zapozna|zwróci|uważa)"
          r"(?:ł|ła|li|łeś|łaś)\w*",
          "Blames the customer.", "Tak to teraz rozwiążemy:"),
    _rule("dismissive",
          r"\b(?:proszę|prosimy) (?:się |pana |panią |państwa )*(?:uspokoić|nie denerwować|nie krzyczeć"
          r"|nie unosić|nie histeryzować)\b|\buspokój(?:cie)? się\b|\bbez (?:nerwów|histerii)\b"
          r"|\bnie ma (?:potrzeby|co) (?:się )?(?:denerwować|krzyczeć|unosić|histeryzować|przesadzać|robić afery)\b"
          r"|\bprzesadza (?:pan|pani)\b|\b(?:pan|pani) przesadza\b|\bprzesadzasz\b"
          r"|\bnic (?:więcej |już |tu |tutaj )*(?:się )?nie (?:możemy|mogę|jesteśmy w stanie|da się)"
          r"(?: (?:z tym|w tej sprawie|tu|tutaj|już|więcej))* (?:zrobić|poradzić|zdziałać)\b"
          r"|\bnie (?:możemy|jesteśmy w stanie) (?:już )?nic (?:więcej )?(?:z tym |w tej sprawie )?"
          r"(?:zrobić|poradzić)\b|\bnic (?:się )?nie da (?:się )?(?:z tym )?zrobić\b|\bnie mamy na to wpływu\b"
          r"|\bnic (?:na to |tu )?nie poradzimy\b|\bnic (?:wielkiego|strasznego) się nie stało\b"
          r"|\bto nie (?:jest )?(?:aż )?taki (?:duży |wielki )?problem\b"
          r"|\bto (?:tylko|jedynie) (?:drobn\w+|mał\w+|kilka dni|niewielk\w+)\b",
          "Dismisses the customer or closes the door.", "To frustrujące, a oto co możemy zrobić:"),
    _rule("policy_hiding",
          r"\b(?:zgodnie z|według|wg|na mocy|w świetle|z uwagi na) (?:naszym |naszą |naszymi |obowiązującym "
          r"|obowiązującymi |sklepowym )?(?:regulamin|polityk|zasad|procedur|warunk|przepis)\w*"
          r"(?: (?:sklepu|firmy|serwisu|zwrotów))?,?[^.!?;,\n]{0,40}?\b(?:nie|brak)\b"
          r"|\b(?:regulamin|polityka|zasady|procedury|przepisy|warunki)(?: \w+){0,2} (?:nie (?:pozwala|pozwalają"
          r"|przewiduje|przewidują|zezwala|zezwalają|dopuszcza|dopuszczają)|zabrania|zabraniają)\b"
          r"|\bpolityk\w* firmy (?:nie|zabrania)\w*|\btakie są (?:nasze )?(?:zasady|procedury|przepisy)\b"
          r"|\bnie (?:robimy|zrobimy|możemy zrobić) (?:żadnych |żadnego )?wyjątk\w*",
          "Hides behind policy.", "Wyjaśniamy, dlaczego tak jest, i co możemy zrobić:"),
)
