/* Demo customers of the kinds a yacht builder has beside companies: private buyers, dealers
 * (who sell on), and marinas and yacht clubs (who buy and berth). Written by hand, so the demo
 * reads like the trade; the generated companies of demo/gen.c fill the rest. */
#include "demo.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static const char header[] = "name,category,customer_type,level,source,city,province,address,"
                             "mobile,phone,remarks\n";

static const char *const rows[] = {
    /* Private buyers: people, by their mobile. */
    "陈志远,individual,end_user,a,boat_show,深圳,广东省,广东省深圳市南山区深圳湾一号 T7 栋,"
    "13802610001,,私人买家：关注 60 尺飞桥游艇，计划明年春季交付",
    "林婉清,individual,end_user,b,referral,厦门,福建省,福建省厦门市思明区环岛东路 1699 号,"
    "13905920002,,老客户推荐；家庭出海为主，偏好 40 尺运动艇",
    "王建国,individual,end_user,b,website,杭州,浙江省,浙江省杭州市西湖区曙光路 12 号,"
    "13811112222,,千岛湖度假使用，关心内河航行资质",
    "赵海东,individual,end_user,a,existing,青岛,山东省,山东省青岛市市南区燕儿岛路 8 号,"
    "13964210003,,已购 45 尺一艘，考虑换购 70 尺",
    "苏晓梅,individual,end_user,c,social_media,三亚,海南省,海南省三亚市吉阳区鹿回头路 3 号,"
    "13807530004,,关注帆船，预算有限",
    "郑宏图,individual,end_user,b,boat_show,上海,上海市,上海市浦东新区滨江大道 2727 号,"
    "13901620005,,企业主，用于商务接待",
    /* Dealers: they sell our boats on. */
    "华南游艇销售服务有限公司,enterprise,dealer,a,dealer,珠海,广东省,"
    "广东省珠海市香洲区情侣路 88 号,,0756-2221234,华南区域授权经销商",
    "长江游艇代理有限公司,enterprise,dealer,b,dealer,武汉,湖北省,湖北省武汉市武昌区东湖路 99 号,,"
    "027-86661234,华中区域经销商，主营内湖艇",
    "渤海湾游艇贸易有限公司,enterprise,dealer,b,dealer,大连,辽宁省,"
    "辽宁省大连市沙河口区星海广场 16 号,,0411-84801234,东北区域经销商",
    /* Marinas and yacht clubs: they buy for charter and berth others'. */
    "三亚半山半岛帆船港管理有限公司,club_marina,end_user,a,existing,三亚,海南省,"
    "海南省三亚市吉阳区榆亚路 1 号,,0898-88201234,游艇码头：泊位 300 个，采购包船用艇",
    "青岛奥帆中心游艇会,club_marina,end_user,b,boat_show,青岛,山东省,山东省青岛市市南区燕儿岛路 1 号,,"
    "0532-85991234,游艇会：会员出海与培训",
};

int demo_buyers(struct db *db, long *count)
{
	int fd = memfd_create("demo-buyers", 0);
	FILE *f = fd >= 0 ? fdopen(dup(fd), "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fputs(header, f);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		fprintf(f, "%s\n", rows[i]);
	fclose(f);
	int rc = demo_import_fd(db, "customers", fd);
	close(fd);
	*count = (long)(sizeof rows / sizeof rows[0]);
	return rc;
}
