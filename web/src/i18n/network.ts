// Words of a customer's organisation and relations (src/components/CustomerNetwork.vue, the tab
// on a customer's record page; docs/DECISIONS.md, Contact networks). The fields' own labels and
// options (汇报上级, 决策角色, 配偶 …) come from the server's metadata.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    network: {
      tab: '组织架构与关系',
      orgChart: '组织架构图', influence: '决策与影响关系图', view: '图表',
      orgLabel: '{name}的组织架构图：{n} 位联系人，按汇报关系排列',
      influenceLabel: '{name}的决策与影响关系图：{n} 位联系人，{m} 条关系',
      orgHint: '按“汇报上级”排列，颜色表示决策角色。点击人员可设置其汇报上级和角色。',
      influenceHint: '圆点大小表示影响力，颜色表示态度；箭头从上级指向下属，从关系人指向其影响的联系人。',
      people: '人员', relations: '关系', empty: '该客户还没有联系人。先在“联系人”中添加，再在这里设置组织架构。',
      truncated: '人员或关系过多，只显示了前一部分。', reload: '刷新', noRole: '未设定角色', unknownAttitude: '态度未知',
      outside: '其他关系人', superiorOf: '上级', openContact: '打开联系人详情', edit: '设置 {name}',
      none: '无（最高层）', save: '保存', saved: '已保存', addRelation: '添加关系', relationsOf: '{name}的关系人',
      noRelations: '尚未记录关系人。', relationTitle: '添加关系人', relationHint: '选择本客户的另一位联系人，或只填写姓名（例如家属）。',
      relationSaved: '已添加关系人', whoseRelation: '{name}的{relation}', readOnly: '您没有修改这些联系人的权限。',
    },
  },
  en: {
    network: {
      tab: 'Organisation and relations',
      orgChart: 'Organisation chart', influence: 'Decision and influence graph', view: 'Chart',
      orgLabel: 'Organisation chart of {name}: {n} contacts by whom they report to',
      influenceLabel: 'Decision and influence graph of {name}: {n} contacts, {m} relations',
      orgHint: 'Arranged by "Reports to", coloured by decision role. Click a person to set whom they report to and their role.',
      influenceHint: 'Size shows influence, colour shows attitude; arrows run from superiors to their reports, and from related people to the contact they influence.',
      people: 'People', relations: 'Relations', empty: 'This customer has no contacts yet. Add them under Contacts, then arrange them here.',
      truncated: 'Too many people or relations: only the first are shown.', reload: 'Reload', noRole: 'No role set', unknownAttitude: 'Attitude unknown',
      outside: 'Other related people', superiorOf: 'Superior', openContact: 'Open the contact', edit: 'Set up {name}',
      none: 'Nobody (at the top)', save: 'Save', saved: 'Saved', addRelation: 'Add a relation', relationsOf: 'People related to {name}',
      noRelations: 'No related people recorded yet.', relationTitle: 'Add a related person', relationHint: 'Choose another contact of this customer, or just type a name (a family member, say).',
      relationSaved: 'Related person added', whoseRelation: '{relation} of {name}', readOnly: 'You may not change these contacts.',
    },
  },
};
