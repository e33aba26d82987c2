"""Turkish rules, written like the Polish ones: the customer as the reproach's subject, a policy only where
it refuses."""

from __future__ import annotations

from responder.tone_rules.base import Rule, _rule

RULES: tuple[Rule, ...] = (
    _rule("defensive",
          r"\b(?:belirt|söyle|açıkla|ilet|bildir|yaz|ifade et|bilgi ver|anlat|hatırlat|tekrarla|vurgula|cevap ver"
          r"|yanıtla)(?:t|d)[ıiuü][ğk](?:ımız|imiz|umuz|ümüz|ım|im|um|üm) gibi\b"
          r"|\b(?:daha önce(?: de)?|önceden|defalarca|birçok kez|tekrar tekrar|yukarıda|önceki mesaj\w*(?: de"
          r"| da)?)"
          r" (?:\w+ ){0,2}?(?:belirtildiği|söylendiği|açıklandığı|bildirildiği|ifade edildiği|iletildiği"
          r"|yazıldığı) gibi\b|\btekrar (?:tekrar )?(?:ediyoruz|ediyorum|söylüyoruz|söylüyorum)\b"
          r"|\bbizim (?:suçumuz|hatamız|kusurumuz|sorumluluğumuz(?:da)?) değil\w*"
          r"|\b(?:bizden|bizim tarafımızdan) kaynaklanm(?:ıyor|amaktadır|adı)\b"
          r"|\bsorumlu (?:değiliz|tutulamayız)\b|\bsorumluluk (?:kabul etmiyoruz|kabul etmemekteyiz"
          r"|üstlenmiyoruz)\b"
          r"|\b(?:sorumluluğumuz|hatamız|suçumuz|kusurumuz) (?:yok|bulunm\w+)\b"
          r"|\bher şeyi (?:doğru|kurallara uygun) yaptık\b"
          r"|\b(?:tek|ilk ve tek) (?:müşteri|kişi) (?:sizsiniz|sensin|siz|sen)\b|\bşikayet eden tek (?:müşteri"
          r"|kişi)\b"
          r"|\bbaşka (?:hiçbir )?(?:müşteri\w*|kimse) (?:\w+ ){0,3}?şikayet(?:te)? (?:etme|bulunma|olma)\w*"
          r"|\b(?:defalarca|birçok kez|birkaç kez|kaç kez|kaç defa|tekrar tekrar) (?:\w+ )?(?:anlat|açıkla|belirt"
          r"|söyle|ilet|bildir|yaz|hatırlat)(?:tık|dık|tik|dik|tuk|duk|tım|dım|tim|dim|mıştık|miştik)\b"
          r"|\b(?:size|sana) (?:zaten|daha önce(?: de)?|defalarca) (?:anlat|açıkla|belirt|söyle|ilet|bildir|yaz"
          r"|hatırlat)(?:tık|dık|tik|dik|tuk|duk|tım|dım|tim|dim|mıştık|miştik)\b"
          r"|\b(?:açıkça|net bir şekilde|açık açık) (?:\w+ )?(?:belirtil|yazıl|yazı|ifade edil|açıklan)\w*"
          r"|\bbizi (?:ilgilendirmiyor|ilgilendirmez|bağlamaz|bağlamıyor)\b"
          r"|\bbizim (?:konumuz|sorumluluğumuz|alanımız) (?:değil|dışında)\w*|\bsorumluluğumuz(?:un)? dışında\b",
          "Points out that the customer did not listen, or denies responsibility.",
          "Yaşadığınız sorun için özür dileriz; yapabileceklerimiz şunlar:"),
    _rule("blaming",
          r"\b(?:kontrol et|oku|dikkat et|incele|gözden geçir|bak|bil|teyit et|doğrula|emin ol|kaydet|sakla)"
          r"(?:meniz|manız|men|man) (?:gerekirdi|gerekiyordu|lazımdı)\b"
          r"|\b(?:kontrol et|oku|dikkat et|incele|gözden geçir|bak|bil|teyit et|doğrula|emin ol|kaydet|sakla)"
          r"(?:meliydiniz|malıydınız|meliydin|malıydın)\b"
          r"|\b(?:yanlış|hatalı|eksik) (?:\w+ )?(?:gir|yaz|oku|anla|seç|doldur|tıkla|işaretle|tuşla)\w*?"
          r"(?: olmalı)?(?:sınız|siniz|sunuz|sünüz|nız|niz|nuz|nüz|sın|sin|sun|sün)\b"
          r"|\b(?:gözden kaçır|unut|okuma|dikkat etme|kontrol etme|fark etme)(?:mış|miş|muş|müş|dı|di|du|dü)"
          r"(?: olmalı)?(?:sınız|siniz|sunuz|sünüz|nız|niz|nuz|nüz|sın|sin|sun|sün)\b"
          r"|\bsizin (?:hatanız|suçunuz|kusurunuz)\b(?! değil)"
          r"|\b(?:hata|kusur|sorun|problem) (?:tamamen )?(?:sizde\b(?! değil)|sizden kaynaklan(?:ıyor|dı|maktadır))"
          r"|\b(?:okumadan|incelemeden|kontrol etmeden|bakmadan|dikkat etmeden) (?:\w+ ){0,2}?\w+(?:mışsınız"
          r"|mişsiniz|muşsunuz|müşsünüz|dınız|diniz|dunuz|dünüz|tınız|tiniz)\b"
          r"|\b(?:siz|sen) (?:\w+ )?(?:seçtiniz|onayladınız|girdiniz|yazdınız|sipariş verdiniz|kabul ettiniz"
          r"|seçtin|onayladın|girdin|kabul ettin)\b",
          "Blames the customer.", "Şimdi bunu şöyle çözeceğiz:"),
    _rule("dismissive",
          r"\bsakin ol(?:un|unuz|manızı|ur musunuz)?\b|\bsakinleş\w*"
          r"|\b(?:bağırmayın|bağırma|sesinizi yükseltmeyin|kaba olmayın|sinirlenmeyin|kızmayın)\b"
          r"|\b(?:bağırmanıza|sinirlenmenize|kızmanıza|abartmanıza) gerek yok\b|\babartıyorsunuz\b|\babartmayın\b"
          r"|\b(?:yapabileceğimiz|yapılabilecek|yapacak|yapılacak|yapacağımız) (?:başka )?(?:bir şey|hiçbir şey"
          r"|pek bir şey|bir şeyimiz)(?: de)? (?:yok|kalmadı|bulunmuyor|bulunmamaktadır)\b"
          r"|\belimizden (?:başka )?(?:bir şey|hiçbir şey) gel(?:mez|miyor)\b"
          r"|\b(?:hiçbir şey|bir şey) yapam(?:ayız|ıyoruz)\b"
          r"|\b(?:önemli|büyük) bir (?:sorun|şey|mesele) değil\b",
          "Dismisses the customer or closes the door.", "Can sıkıcı olduğunu biliyoruz; yapabileceğimiz şu:"),
    _rule("policy_hiding",
          r"\b(?:şirket )?(?:politika(?:mız|sı|ları|larımız)|kural(?:ımız|ları|larımız)|prosedür(?:ümüz|ü|leri"
          r"|lerimiz)|şart(?:ımız|ları|larımız)|koşul(?:ları|larımız)|yönetmeli(?:ğimiz|ği)|sözleşme(?:miz|si)?)"
          r"(?: gereği| gereğince| uyarınca| kapsamında|(?:n|y)?[ae] göre| çerçevesinde),?[^.!?;,\n]{0,50}?"
          r"\b\w*(?:m[ıiuü]yor|maz|mez|mamakta|memekte|madı|medi|değil|yok)\w*"
          r"|\b(?:politikamız|kurallarımız|prosedürümüz|şirket politikası) (?:buna )?(?:izin vermiyor"
          r"|izin vermemektedir|el vermiyor|uygun değil)\b|\bkural(?:lar)? (?:bu|bu şekilde|böyle|kuraldır)\b"
          r"|\bistisna (?:yapamayız|yapmıyoruz|yapılamaz|yapamıyoruz)\b",
          "Hides behind policy.", "Nedenini açıklayalım ve neler yapabileceğimizi söyleyelim:"),
)
