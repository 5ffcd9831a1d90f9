// Words of the import wizard (src/views/ImportView.vue).
export default {
  'zh-CN': { import: { title: '导入' } },
  en: { import: { title: 'Import' } },
};
