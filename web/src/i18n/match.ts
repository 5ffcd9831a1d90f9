// Words of the duplicate check (docs/internals/MATCH.md): the candidates beside a customer's form
// (src/components/DuplicateCandidates.vue, DuplicateList.vue), the question before saving a
// likely duplicate (DuplicateConfirm.vue), and the administrators' rules page
// (src/views/admin/MatchRulesView.vue: admin.match, admin.rules).
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals. The formula itself is
// written in the page.
export default {
  'zh-CN': {
    dup: {
      title: '可能重复的客户', count: '可能重复的客户（{n}）', idle: '录入名称、电话、邮箱、网址或统一社会信用代码后，会自动查找可能重复的客户。',
      checking: '正在查重…', none: '未发现重复', score: '相似度 {n}%', owner: '负责人：{name}', noOwner: '无负责人',
      opens: '在新标签页中打开 {name}', hint: '点击名称可在新标签页中查看（您可能无权打开他人的客户）。',
      reason: {
        tax_id: '统一社会信用代码相同', phone: '电话相同', mobile: '手机相同', email: '邮箱相同', website: '网址/域名相同',
        name: '名称相似 {n}%', address: '地址相似 {n}%',
      },
      confirmTitle: '可能是重复客户', confirmText: '可能与以下客户重复，请确认这是一个新客户：',
      saveAnyway: '仍然保存', goBack: '返回检查',
    },
    admin: {
      match: '查重规则',
      rules: {
        formula: '如何计算', formulaText: '录入客户时，系统把它与已有的每个客户比对。每条成立的规则按“权重 × 相似度”计分，多条规则同时成立时分数叠加升高，但不会超过 1：',
        formulaWhere: '其中 Π 为所有成立规则的连乘。统一社会信用代码、电话、手机、邮箱和网址是精确比对（相同则相似度为 1）；名称和地址按相似程度计算，达到下限才计入。分数达到阈值的客户会列为可能重复。',
        example: '例如：电话相同、名称相似度 {sim}：1 − (1 − {phone} × 1) × (1 − {name} × {sim}) = {score}',
        weights: '规则权重', weightsHint: '0 表示该规则不参与；1 表示单凭该规则成立即视为重复。',
        rule: {
          tax_id: '统一社会信用代码', phone: '电话', mobile: '手机', email: '邮箱', website: '网址/域名', name: '名称', address: '地址',
        },
        ruleHint: {
          tax_id: '去掉空格和符号、统一大写后相同', phone: '统一为 +86 格式（去掉区号前的 0 和分机号）后相同', mobile: '统一为 +86 格式后相同',
          email: '去掉空格、统一小写后相同', website: '网址或邮箱的注册域名相同（qq.com、163.com 等公共邮箱不算）',
          name: '去掉省市、括号、公司类型（有限公司、集团等），繁简统一后比较相似度', address: '去掉省市、统一全角半角后比较相似度',
        },
        limits: '下限与阈值',
        name_floor: '名称相似度下限', name_floorHint: '名称相似度低于此值时不计入分数。',
        address_floor: '地址相似度下限', address_floorHint: '地址相似度低于此值时不计入分数。',
        threshold: '列为可能重复的阈值', thresholdHint: '分数达到此值的客户才会显示。新建客户时，分数达到 0.90 的候选会在保存前请用户确认。',
        slider: '{what}（滑块）',
      },
    },
  },
  en: {
    dup: {
      title: 'Possible duplicates', count: 'Possible duplicates ({n})', idle: 'Once you enter a name, phone, email, website or unified social credit code, customers that look like this one are listed here.',
      checking: 'Checking…', none: 'No duplicates found', score: '{n}% alike', owner: 'Owner: {name}', noOwner: 'No owner',
      opens: 'Open {name} in a new tab', hint: 'A name opens the customer in a new tab (you may not be allowed to open other people’s customers).',
      reason: {
        tax_id: 'Same unified social credit code', phone: 'Same phone', mobile: 'Same mobile', email: 'Same email', website: 'Same website / domain',
        name: 'Name {n}% alike', address: 'Address {n}% alike',
      },
      confirmTitle: 'Possible duplicate', confirmText: 'This may duplicate the following customers. Please make sure it is a new customer:',
      saveAnyway: 'Save anyway', goBack: 'Go back',
    },
    admin: {
      match: 'Duplicate rules',
      rules: {
        formula: 'How the score works', formulaText: 'A customer being entered is compared with every existing one. Each rule that holds counts as its weight times its similarity; several rules together raise the score, which never exceeds 1:',
        formulaWhere: 'Π multiplies over the rules that hold. The unified social credit code, phone, mobile, email and website are compared exactly (similarity 1 when equal); the name and address by how alike they are, counted only from their floor up. Customers scoring at least the threshold are listed as possible duplicates.',
        example: 'For example, the same phone and a name similarity of {sim}: 1 − (1 − {phone} × 1) × (1 − {name} × {sim}) = {score}',
        weights: 'Rule weights', weightsHint: '0 leaves a rule out; 1 makes the rule alone enough for a duplicate.',
        rule: {
          tax_id: 'Unified social credit code', phone: 'Phone', mobile: 'Mobile', email: 'Email', website: 'Website / domain', name: 'Name', address: 'Address',
        },
        ruleHint: {
          tax_id: 'Equal once spaces and symbols are removed, in capitals', phone: 'Equal in the +86 form (trunk 0 and extensions dropped)', mobile: 'Equal in the +86 form',
          email: 'Equal once trimmed, in lower case', website: 'The same registered domain of the website or email (free mail such as qq.com or 163.com does not count)',
          name: 'How alike, without province and city, brackets and legal forms (Ltd., Group …), traditional and simplified alike', address: 'How alike, without province and city, full- and half-width alike',
        },
        limits: 'Floors and threshold',
        name_floor: 'Name similarity floor', name_floorHint: 'Names less alike than this do not count.',
        address_floor: 'Address similarity floor', address_floorHint: 'Addresses less alike than this do not count.',
        threshold: 'Threshold for a possible duplicate', thresholdHint: 'Only customers scoring at least this are shown. When a new customer is saved, candidates scoring 0.90 or more are put to the user first.',
        slider: '{what} (slider)',
      },
    },
  },
};
