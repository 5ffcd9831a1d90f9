// Words of the score cards on a record's page (src/components/ScoreCard.vue: the gauge, 如何计算
// and the factors' table) and of a customer's loyalty (CustomerLoyalty.vue); the closeness's own
// words are the contacts' (contacts.ts). The factors' labels, rules and the levels come from the
// server in the user's language.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals; English counts of one
// have keys of their own (dealsOne …).
export default {
  'zh-CN': {
    score: {
      of: '{title} {score} 分（满分 100）：{level}',
      how: '如何计算', hideHow: '收起计算方法',
      factor: '计算项', value: '实际', points: '得分', rule: '规则',
      pointsOf: '{points} / {max} 分', factorOf: '{label}：{points}',
    },
    loyalty: {
      title: '忠诚度',
      lead: '根据复购（订单、合同等交易）计算，各项得分相加即为忠诚度。目前系统中还没有记录交易的数据。',
      leadIn: '根据该客户在{sources}中的交易计算，各项得分相加即为忠诚度：',
      noneYet: '尚未记录任何交易。忠诚度根据复购（订单、合同等交易）计算，记录交易后即可得出。',
      noneIn: '尚未记录交易：{sources}中还没有该客户的记录。有交易后按复购计算忠诚度。',
      first: '首次 {date}', last: '最近一次 {date}',
      deals: '{n} 笔交易', dealsOne: '{n} 笔交易', years: '{n} 年', yearsOne: '{n} 年', days: '{n} 天', daysOne: '{n} 天',
      today: '今天', noValue: '暂无交易',
    },
  },
  en: {
    score: {
      of: '{title} {score} of 100: {level}',
      how: 'How it is computed', hideHow: 'Hide how it is computed',
      factor: 'Factor', value: 'Actual', points: 'Points', rule: 'Rule',
      pointsOf: '{points} / {max} points', factorOf: '{label}: {points}',
    },
    loyalty: {
      title: 'Loyalty',
      lead: 'From repeat business (orders, contracts); the points of each factor add up to the loyalty. No business is recorded anywhere yet.',
      leadIn: 'From this customer’s business in {sources}; the points of each factor add up to the loyalty:',
      noneYet: 'No business recorded yet. Loyalty is computed from repeat business (orders, contracts) once it is recorded.',
      noneIn: 'No business recorded yet: {sources} hold nothing of this customer. Loyalty is computed from repeat business once there is some.',
      first: 'first on {date}', last: 'last on {date}',
      deals: '{n} deals', dealsOne: '{n} deal', years: '{n} years', yearsOne: '{n} year', days: '{n} days', daysOne: '{n} day',
      today: 'today', noValue: 'no business',
    },
  },
};
