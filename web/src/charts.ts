// ECharts with only the charts and parts the application draws (tree-shaken), loaded by
// EChart.vue when a page first shows a chart.
import * as echarts from 'echarts/core';
import { BarChart, FunnelChart, GraphChart, LineChart, PieChart, TreeChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, FunnelChart, GraphChart, LineChart, PieChart, TreeChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
