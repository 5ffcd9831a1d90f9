// Words of the contacts' own parts (docs/internals/PERSONAL.md): the closeness card on a contact's
// page (src/components/ContactCloseness.vue; the score card's own words are in scores.ts), the
// actions there (ContactActions.vue: log a follow-up, new contact plan, record news, the personal
// data menu with its export and erasure), a contact plan's progress (PlanProgress.vue), the
// workbench's coming birthdays (BirthdaysCard.vue) and the administrators' birthday reminders
// (src/views/admin/BirthdayRulesView.vue: admin.birthdays, admin.birthdayRules).
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    contact: {
      closeness: '亲密度',
      howLead: '根据与该联系人的跟进记录计算，各项得分相加即为亲密度：',
      never: '从未联系', today: '今天', daysAgo: '{n} 天前', times: '{n} 次',
      logFollowup: '写跟进', newPlan: '新建接触计划', logUpdate: '记录动态',
      personal: '个人信息', export: '导出', exported: '已导出 {name} 的个人信息', erase: '删除个人信息',
      eraseTitle: '删除“{name}”的个人信息',
      eraseLead: '按个人信息保护法的要求删除此人的个人信息。此操作不可撤销，请确认：',
      eraseWhat1: '联系方式、生日、籍贯、住址、性格、爱好等个人字段全部清空，姓名改为“（已删除）”；',
      eraseWhat2: '此人的关系人（家属、同事等）记录及附件一并删除；',
      eraseWhat3: '修改记录保留“谁在何时做了什么”，但不再保留原来的值；',
      eraseWhat4: '所属客户、角色、部门、职位、汇报关系和决策角色等业务信息保留，跟进记录和任务仍指向此联系人。',
      eraseNotReached: '跟进记录等正文中若写有此人的姓名或信息，不会被自动删除，请另行检查。',
      reason: '删除原因', reasonHint: '例如：本人于某日书面要求删除', reasonRequired: '请填写删除的原因',
      confirmName: '请输入联系人姓名“{name}”以确认', nameMismatch: '输入的姓名与联系人姓名不一致',
      eraseConfirm: '永久删除', erased: '已删除个人信息',
    },
    plan: {
      progress: '接触进度', summary: '已完成 {done} / {touches} 次接触',
      progressOf: '接触进度：已完成 {done} 次，共 {touches} 次',
      done: '已完成', open: '待完成', cancelled: '已取消', touches: '计划次数',
      nextDue: '下次接触', noNext: '没有待完成的接触', touchList: '各次接触', noTasks: '此计划没有接触任务。',
      openTask: '打开任务“{subject}”', overdue: '已逾期',
    },
    birthdays: {
      title: '近期生日', within: '30 天内', today: '今天', tomorrow: '明天', inDays: '{n} 天后',
      lunar: '农历', lunarBirthday: '过农历生日', openContact: '打开联系人 {name}',
    },
    admin: {
      birthdays: '生日提醒',
      birthdayRules: {
        how: '生日提醒如何运作',
        howText: '系统每天早上检查有生日的联系人，在生日前设定的天数内通知联系人的负责人（站内通知和邮件），每个生日只提醒一次。过农历生日的联系人按农历推算每年的生日。生日属于个人信息：负责人的角色无权查看联系人敏感信息时不会收到提醒。',
        enabled: '启用生日提醒', enabledHint: '关闭后不再发送生日提醒；工作台上的“近期生日”照常显示。',
        days_ahead: '提前天数', days_aheadHint: '生日前多少天提醒负责人；0 表示当天提醒。', unit: '天',
      },
    },
  },
  en: {
    contact: {
      closeness: 'Closeness',
      howLead: 'From the follow-ups with this contact; the points of each factor add up to the closeness:',
      never: 'Never contacted', today: 'today', daysAgo: '{n} day ago | {n} days ago', times: '{n} time | {n} times',
      logFollowup: 'Log a follow-up', newPlan: 'New contact plan', logUpdate: 'Record news',
      personal: 'Personal data', export: 'Export', exported: 'Personal data of {name} exported', erase: 'Erase personal data',
      eraseTitle: 'Erase the personal data of “{name}”',
      eraseLead: 'This erases the person’s data as data protection law requires. It cannot be undone:',
      eraseWhat1: 'the personal fields (contact details, birthday, origin, address, personality, interests …) are emptied and the name becomes “（已删除）”;',
      eraseWhat2: 'the records of people related to them (family, colleagues) and their files are deleted;',
      eraseWhat3: 'the history keeps who did what and when, but no longer the old values;',
      eraseWhat4: 'the business facts stay: the customer, role, department, position, whom they report to and their part in decisions; follow-ups and tasks still point to the contact.',
      eraseNotReached: 'Text written in follow-ups and other records may still name the person: it is not erased; check it yourself.',
      reason: 'Reason', reasonHint: 'For example: asked in writing by the person on a given day', reasonRequired: 'Please say why',
      confirmName: 'Type the contact’s name “{name}” to confirm', nameMismatch: 'This is not the contact’s name',
      eraseConfirm: 'Erase for good', erased: 'Personal data erased',
    },
    plan: {
      progress: 'Progress', summary: '{done} of {touches} touches done',
      progressOf: 'Progress: {done} of {touches} touches done',
      done: 'Done', open: 'Open', cancelled: 'Cancelled', touches: 'Touches planned',
      nextDue: 'Next touch', noNext: 'No open touches', touchList: 'Touches', noTasks: 'This plan has no touches.',
      openTask: 'Open the task “{subject}”', overdue: 'Overdue',
    },
    birthdays: {
      title: 'Coming birthdays', within: 'next 30 days', today: 'today', tomorrow: 'tomorrow', inDays: 'in {n} days',
      lunar: 'Lunar', lunarBirthday: 'Keeps the lunar birthday', openContact: 'Open the contact {name}',
    },
    admin: {
      birthdays: 'Birthday reminders',
      birthdayRules: {
        how: 'How birthday reminders work',
        howText: 'Every morning the contacts with a birthday are looked at: their owner is told (in the app and by mail) within the days set here before the birthday, once for each birthday. For contacts who keep the lunar birthday, it is reckoned by the lunar calendar each year. A birthday is personal data: an owner whose roles may not see contacts’ sensitive fields is not told.',
        enabled: 'Send birthday reminders', enabledHint: 'Off, no reminders are sent; the workbench still lists coming birthdays.',
        days_ahead: 'Days ahead', days_aheadHint: 'How many days before the birthday the owner is told; 0 means on the day.', unit: 'days',
      },
    },
  },
};
