### Signing in for an organisation: the choice page, the refusal, the consent's organisation section, the demo B2B portal.

orgsel-title = От чьего имени войти
orgsel-asks = просит войти от имени организации. Выберите, от чьего имени вы действуете.
orgsel-role = ваша роль
orgsel-private = Как частное лицо
orgsel-required = Этот портал принимает вход только от имени организации.
orgsel-continue = Продолжить
orgsel-pick_one = Выберите организацию или вход как частное лицо.
orgsel-not_allowed = Эту организацию нельзя выбрать для входа на этот портал.
orgsel-refused_title = Нужна организация
orgsel-refused_text = принимает вход только от имени организации, а вы не состоите ни в одной подходящей организации.
orgsel-refused_how = Руководитель или администратор организации может пригласить вас в разделе «Организации»; руководитель может добавить свою организацию сам.
orgsel-my_orgs = Мои организации
orgsel-consent_for = Вы действуете от имени организации
orgsel-consent_private = Вы действуете как частное лицо.
orgsel-consent_org_data = Портал получит данные организации: тип, наименование, ОГРН, ИНН, КПП и вашу роль в ней.
orgsel-portals = Порталы, которым разрешён вход от имени организации
orgsel-portals_none = Пока ни одному порталу.
orgsel-portal_people = { $count ->
    [one] { $count } сотрудник
    [few] { $count } сотрудника
   *[many] { $count } сотрудников
}
orgsel-revoke = Отозвать разрешение
orgsel-revoked = Разрешение порталу отозвано: его доступ от имени организации прекращён.
item-org = Организация, от имени которой вы действуете: наименование, ОГРН, ИНН, КПП, ваша роль
